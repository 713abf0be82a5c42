//! The canonical order: observations by `(timestamp, content hash)`. The content hash is
//! order-free over the identifiers and includes the source, so two observations tie only when
//! they are identical, and then their order cannot matter.

use super::input::Input;

/// The observations in canonical order: position `k` holds observation `at(k)`.
pub(super) struct Order {
    /// Whether the record is in canonical order already (nearly always: events arrive in time
    /// order), in which case `order` is empty.
    sorted: bool,
    order: Vec<u32>,
}

impl Order {
    /// The canonical order of `input`'s observations. Content keys are computed only where
    /// timestamps tie, or for every observation to sort.
    pub fn canonical(input: &Input<'_>) -> Order {
        let obs = input.obs;
        let m = obs.len();
        let source_hashes = input.source_hashes();
        let key = |o: usize| input.obs_key(o, &source_hashes);
        let sorted = (1..m).all(|i| {
            let (a, b) = (obs.ts[i - 1], obs.ts[i]);
            a < b || (a == b && key(i - 1) <= key(i))
        });
        let order: Vec<u32> = if sorted {
            Vec::new()
        } else {
            let keys: Vec<u64> = (0..m).map(key).collect();
            let mut o: Vec<u32> = (0..m as u32).collect();
            o.sort_by_key(|&i| (obs.ts[i as usize], keys[i as usize]));
            o
        };
        Order { sorted, order }
    }

    /// The observation at canonical position `k`.
    #[inline]
    pub fn at(&self, k: usize) -> usize {
        if self.sorted {
            k
        } else {
            self.order[k] as usize
        }
    }
}
