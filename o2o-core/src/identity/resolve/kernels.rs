//! The small kernels the passes share: loading ahead (`prefetch`, `AHEAD`), one bit per
//! identifier ([`Bits`]), grouping and sorting by buckets ([`partition_into`], [`bucket_sort`])
//! and the root of a plain parent array ([`root`]).

pub(crate) use crate::identity::memory::prefetch;
use crate::identity::memory::tables::Table;

/// Items looked ahead by the passes that prefetch (each pass loads the next link of a chain
/// some multiple of this ahead, see `prefetch`).
pub(crate) const AHEAD: usize = 8;

/// One bit per identifier: the hub guard's verdicts, 700 KB at 5 M identifiers. Met in random
/// order beside the tables a pass streams through, they do not stay in the cache: the sessions
/// pass loads them ahead (`prefetch`) and keeps each linking observation's verdicts beside it,
/// which linking reads in order.
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    pub(crate) fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }

    /// `i` must be below the `n` given to `new` (every caller passes an interned id).
    #[inline]
    pub(crate) fn get(&self, i: u32) -> bool {
        self.0[(i >> 6) as usize] >> (i & 63) & 1 == 1
    }

    pub(crate) fn set(&mut self, i: u32) {
        self.0[(i >> 6) as usize] |= 1 << (i & 63);
    }

    /// Start loading bit `i` (see `prefetch`).
    #[inline]
    pub(crate) fn prefetch(&self, i: u32) {
        prefetch(&self.0, (i >> 6) as usize);
    }
}

/// Items grouped by `bucket` (below `buckets`), each group in the order `items` yields them:
/// a counting pass, then one write per item to the next place of its group. With a few thousand
/// groups the places being written stay in cache, so this costs two sequential passes where
/// visiting items at random would miss the cache for each one. `buckets_of` yields the bucket of
/// each item, in the order `items` yields the items (it is read first, to size the groups).
/// The items replace those of `out` (whose room is used: a caller partitioning again and again
/// keeps one table). Returns where each group ends (group `b` is `ends[b]..ends[b + 1]`).
pub(crate) fn partition_into<T: Copy + Default>(
    buckets: usize,
    buckets_of: impl Iterator<Item = usize>,
    items: impl Iterator<Item = T>,
    bucket: impl Fn(&T) -> usize,
    out: &mut Table<T>,
) -> Vec<u32> {
    let mut ends = vec![0u32; buckets + 1];
    for b in buckets_of {
        if let Some(c) = ends.get_mut(b + 1) {
            *c += 1;
        }
    }
    for b in 0..buckets {
        ends[b + 1] += ends[b];
    }
    let total = ends[buckets] as usize;
    out.clear();
    out.resize(total, T::default());
    let mut at = ends.clone();
    for item in items {
        if let Some(c) = at.get_mut(bucket(&item))
            && let Some(slot) = out.get_mut(*c as usize)
        {
            *slot = item;
            *c += 1;
        }
    }
    ends
}

/// Sort items into `buckets` by `bucket` (which must order them as `Ord` does: a smaller bucket
/// holds only smaller items), then each bucket on its own: a counting-sort pass and sorts small
/// enough for the cache, faster than one sort of millions (see `partition_into` for the
/// arguments). The items replace those of `out`.
pub(crate) fn bucket_sort<T: Copy + Default + Ord>(
    buckets: usize,
    buckets_of: impl Iterator<Item = usize>,
    items: impl Iterator<Item = T>,
    bucket: impl Fn(&T) -> usize,
    mut out: Table<T>,
) -> Table<T> {
    let ends = partition_into(buckets, buckets_of, items, bucket, &mut out);
    for w in ends.windows(2) {
        out[w[0] as usize..w[1] as usize].sort_unstable();
    }
    out
}

/// The shift that puts values below `n` into buckets of about 16 of `len` items each (at most
/// 2^16 buckets).
pub(crate) fn bucket_shift(n: usize, len: usize) -> u32 {
    let buckets = (len / 16).clamp(1, 1 << 16);
    let per = n.div_ceil(buckets).max(1);
    usize::BITS - (per - 1).leading_zeros()
}

/// Root of `x` in a plain parent array, with path halving.
pub(crate) fn root(p: &mut [u32], mut x: u32) -> u32 {
    while p[x as usize] != x {
        let gp = p[p[x as usize] as usize];
        p[x as usize] = gp;
        x = gp;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Bucket sorting gives the plain sort, whatever the bucket sizes (empty, one, uneven).
        #[test]
        fn bucket_sort_is_a_sort(
            items in proptest::collection::vec((0u32..5000, any::<u32>(), any::<u32>()), 0..3000),
        ) {
            let shift = bucket_shift(5000, items.len());
            let bucket = |&(x, _, _): &(u32, u32, u32)| (x >> shift) as usize;
            let got = bucket_sort(
                (5000 >> shift) + 1,
                items.iter().map(bucket),
                items.iter().copied(),
                bucket,
                Table::new(),
            );
            let mut want = items.clone();
            want.sort_unstable();
            prop_assert_eq!(&got[..], &want[..]);
        }

        /// Partitioning is a stable sort by bucket, and says where each bucket ends.
        #[test]
        fn partition_is_a_stable_sort_by_bucket(
            items in proptest::collection::vec((0u32..5000, any::<u32>()), 0..3000),
            shift in 0u32..14,
        ) {
            let bucket = |&(x, _): &(u32, u32)| (x >> shift) as usize;
            let buckets = (5000 >> shift) + 1;
            // Into a table holding other items already, which are replaced.
            let mut got = Table::new();
            got.extend((0..items.len() / 2).map(|i| (i as u32, 7)));
            let ends = partition_into(
                buckets,
                items.iter().map(bucket),
                items.iter().copied(),
                bucket,
                &mut got,
            );
            let mut want = items.clone();
            want.sort_by_key(bucket);
            prop_assert_eq!(&got[..], &want[..]);
            prop_assert_eq!(ends.len(), buckets + 1);
            for (b, w) in ends.windows(2).enumerate() {
                prop_assert!(got[w[0] as usize..w[1] as usize].iter().all(|i| bucket(i) == b));
            }
            prop_assert_eq!(ends[buckets] as usize, items.len());
        }
    }
}
