//! Sources by name. A profile lists its sources in name order; numbering each source by its
//! place among the names lets the passes carry them as bits (up to 32 of them) that come out
//! in name order, with no sort per profile.

/// The sources' places by name.
pub(super) struct SourceNames {
    /// The source at each place by name.
    pub by_name: Vec<u32>,
    /// Each source's place by name.
    pub place: Vec<u32>,
    /// Whether there are few enough sources (32) to carry them as bits.
    pub few: bool,
}

impl SourceNames {
    pub fn new(sources: &[String]) -> Self {
        let mut by_name: Vec<u32> = (0..sources.len() as u32).collect();
        by_name.sort_by(|&a, &b| sources[a as usize].cmp(&sources[b as usize]));
        let mut place = vec![0u32; by_name.len()];
        for (r, &s) in by_name.iter().enumerate() {
            place[s as usize] = r as u32;
        }
        SourceNames {
            by_name,
            place,
            few: sources.len() <= 32,
        }
    }
}
