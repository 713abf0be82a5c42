//! Shared helpers for the o2o criterion benchmarks.

pub mod cpu {
    //! Throughput per CPU-second of the running thread: on a machine shared with other jobs the
    //! wall clock understates a kernel's speed, the thread's own CPU time does not.

    /// Nanoseconds this thread has spent on a CPU (Linux `/proc/thread-self/schedstat`).
    pub fn thread_cpu_ns() -> Option<u64> {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        s.split_whitespace().next()?.parse().ok()
    }

    /// Run `f` (which handles `n` elements) `rounds` times after one warm-up call; print
    /// `label: X M <unit> per CPU-second (Y M/s wall clock)` on stderr.
    pub fn rate(label: &str, unit: &str, n: usize, rounds: usize, mut f: impl FnMut()) {
        f();
        let (Some(t0), w0) = (thread_cpu_ns(), std::time::Instant::now()) else {
            return;
        };
        for _ in 0..rounds {
            f();
        }
        let Some(t1) = thread_cpu_ns() else { return };
        let total = (rounds * n) as f64;
        eprintln!(
            "cpu-time {label}: {:.2} M {unit} per CPU-second ({:.2} M/s wall clock)",
            total / ((t1 - t0) as f64 / 1e9) / 1e6,
            total / w0.elapsed().as_secs_f64() / 1e6
        );
    }
}

pub mod identity {
    //! A synthetic identity workload at any scale, generated on the fly (no event files): people
    //! with an email, a phone, a loyalty card for half of them, one or two devices and a home IP;
    //! observations as a retailer logs them (ad impressions, logins, POS scans, store Wi-Fi),
    //! in time order, with 200 shared store IPs. Seeded and deterministic.

    use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    use o2o_core::event::IdKind;
    use o2o_core::identity::{IdentityError, IdentityGraph, Profiles, ResolutionRules};
    use sha2::{Digest, Sha256};
    use std::fmt::Write;

    /// SplitMix64: a tiny seeded generator, enough to spread synthetic values.
    pub struct SplitMix(pub u64);

    impl SplitMix {
        /// Next 64 random bits.
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    /// Call `f(timestamp, identifiers)` for each of `observations` synthetic observations.
    pub fn generate(observations: usize, seed: u64, mut f: impl FnMut(i64, &[(IdKind, &str)])) {
        let persons = (observations / 10).max(1) as u64;
        let mut rng = SplitMix(seed);
        let (mut a, mut b, mut c) = (String::new(), String::new(), String::new());
        for i in 0..observations {
            let p = rng.next_u64() % persons;
            let r = rng.next_u64();
            let ts = 1_772_323_200 + (i as i64) * 3;
            let device = |s: &mut String, k: u64| {
                s.clear();
                let h = SplitMix(p * 2 + k).next_u64();
                let _ = write!(s, "{:016x}-{:04x}", h, p & 0xffff);
            };
            a.clear();
            b.clear();
            c.clear();
            match r % 10 {
                // Ad impression or click: device + home IP.
                0..=3 => {
                    device(&mut a, r >> 8 & 1);
                    let _ = write!(b, "10.{}.{}.{}", p >> 16 & 255, p >> 8 & 255, p & 255);
                    f(ts, &[(IdKind::DeviceId, &a), (IdKind::Ip, &b)]);
                }
                // Site login: device + email.
                4 | 5 => {
                    device(&mut a, r >> 8 & 1);
                    let _ = write!(b, "user{p}@mail.example");
                    f(ts, &[(IdKind::DeviceId, &a), (IdKind::Email, &b)]);
                }
                // POS: loyalty card + phone (half the people have a card).
                6 | 7 => {
                    let _ = write!(b, "849{:08}", p % 100_000_000);
                    if p.is_multiple_of(2) {
                        let _ = write!(a, "LC{p:010}");
                        f(ts, &[(IdKind::LoyaltyCard, &a), (IdKind::Phone, &b)]);
                    } else {
                        let _ = write!(c, "user{p}@mail.example");
                        f(ts, &[(IdKind::Phone, &b), (IdKind::Email, &c)]);
                    }
                }
                // In-store QR scan: device + phone + the store's shared IP.
                _ => {
                    device(&mut a, 0);
                    let _ = write!(b, "849{:08}", p % 100_000_000);
                    let _ = write!(c, "203.0.{}.{}", (p % 200) / 250, p % 200 + 1);
                    f(
                        ts,
                        &[
                            (IdKind::DeviceId, &a),
                            (IdKind::Phone, &b),
                            (IdKind::Ip, &c),
                        ],
                    );
                }
            }
        }
    }

    /// A graph holding `observations` synthetic observations (default rules).
    pub fn build(observations: usize, seed: u64) -> Result<IdentityGraph, IdentityError> {
        let yes = ConsentSignals {
            gcm: Some(ConsentMode {
                ad_user_data: ConsentState::Granted,
                ..ConsentMode::default()
            }),
            ..ConsentSignals::default()
        };
        let permit = ConsentGate::default()
            .permit(Operation::LinkIdentity, Some(&yes))
            .map_err(|e| IdentityError::Rules {
                field: "consent".into(),
                reason: e.to_string(),
            })?;
        let mut g = IdentityGraph::new(ResolutionRules::default())?;
        let mut err = Ok(());
        generate(observations, seed, |ts, ids| {
            if err.is_ok() {
                err = g
                    .observe_normalized(&permit, ts, "synthetic", ids)
                    .map(|_| ());
            }
        });
        err.map(|()| g)
    }

    /// The shapes of hostile observation [`hostile`] builds.
    #[derive(Clone, Copy, Debug)]
    pub enum Hostile {
        /// Every linking kind in turn, each identifier also in a two-identifier observation
        /// (email and phone, device and MAC…) of its own: one observation bridging tens of
        /// thousands of profiles, far past every limit.
        Bridging,
        /// Emails only, never seen elsewhere.
        OneKind,
    }

    /// A graph holding one observation of `identifiers` identifiers shaped as `shape` (with,
    /// for [`Hostile::Bridging`], the pair observations that make its identifiers' profiles).
    pub fn hostile(identifiers: usize, shape: Hostile) -> Result<IdentityGraph, IdentityError> {
        let yes = ConsentSignals {
            gcm: Some(ConsentMode {
                ad_user_data: ConsentState::Granted,
                ..ConsentMode::default()
            }),
            ..ConsentSignals::default()
        };
        let permit = ConsentGate::default()
            .permit(Operation::LinkIdentity, Some(&yes))
            .map_err(|e| IdentityError::Rules {
                field: "consent".into(),
                reason: e.to_string(),
            })?;
        let mut g = IdentityGraph::new(ResolutionRules::default())?;
        const KINDS: [IdKind; 7] = [
            IdKind::ExternalId,
            IdKind::LoyaltyCard,
            IdKind::Email,
            IdKind::Phone,
            IdKind::DeviceId,
            IdKind::Mac,
            IdKind::Ip,
        ];
        let value = |kind: IdKind, i: usize| match kind {
            IdKind::Email => format!("user{i}@mail.example.vn"),
            IdKind::Phone => format!("849{:08}", i % 100_000_000),
            IdKind::Mac => {
                let b = (i as u64).to_be_bytes();
                format!(
                    "02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                    b[3], b[4], b[5], b[6], b[7]
                )
            }
            IdKind::Ip => format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255),
            _ => format!("{}-{i:08}", kind),
        };
        let values: Vec<(IdKind, String)> = (0..identifiers)
            .map(|i| match shape {
                Hostile::Bridging => {
                    let kind = KINDS[i % KINDS.len()];
                    (kind, value(kind, i / KINDS.len()))
                }
                Hostile::OneKind => (IdKind::Email, value(IdKind::Email, i)),
            })
            .collect();
        if let Hostile::Bridging = shape {
            // Each group of seven (one of each kind) seen together once: a person.
            for (n, group) in values.chunks(KINDS.len()).enumerate() {
                let ids: Vec<(IdKind, &str)> =
                    group.iter().map(|(k, v)| (*k, v.as_str())).collect();
                g.observe_normalized(&permit, 1_000 + n as i64, "crm", &ids)?;
            }
        }
        let ids: Vec<(IdKind, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        g.observe_normalized(&permit, 10_000_000, "hostile", &ids)?;
        Ok(g)
    }

    /// SHA-256 (hex) of everything a resolution gives a user: each profile, then each merge
    /// the limits prevented, then each shared identifier, as JSON lines. Two resolvers that
    /// agree on it agree on every field of every profile (`examples/identity_checksum.rs`).
    pub fn checksum(profiles: &Profiles<'_>) -> Result<String, serde_json::Error> {
        let mut h = Sha256::new();
        let mut line = |v: &dyn erased::Json| -> Result<(), serde_json::Error> {
            h.update(v.json()?);
            h.update(b"\n");
            Ok(())
        };
        for p in profiles {
            line(&p)?;
        }
        for a in profiles.audit() {
            line(&a)?;
        }
        for s in profiles.shared() {
            line(&s)?;
        }
        Ok(h.finalize().iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        }))
    }

    mod erased {
        /// A value as JSON bytes (lets one closure take profiles, audits and shared ones).
        pub trait Json {
            fn json(&self) -> Result<Vec<u8>, serde_json::Error>;
        }

        impl<T: serde::Serialize> Json for T {
            fn json(&self) -> Result<Vec<u8>, serde_json::Error> {
                serde_json::to_vec(self)
            }
        }
    }
}
