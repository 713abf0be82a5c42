//! Large tables on huge pages. Resolution reads and writes its per-identifier tables (hundreds
//! of MB at 10 M observations) in random order, so with 4 KiB pages nearly every access also
//! misses the TLB, and every fresh page costs a fault. On Linux, where transparent huge pages
//! are commonly enabled only for memory that asks for them (`madvise` mode), the tables built
//! here ask: one 2 MiB page then covers 512 small ones. Elsewhere (and for small tables) these
//! are plain vectors. The advice changes no contents and no behaviour, only speed.

/// Tables smaller than this stay on small pages (a huge page would mostly be unused).
const MIN_BYTES: usize = 4 << 20;

/// A vector of `n` copies of `value`, on huge pages where the system gives them.
pub(crate) fn filled<T: Clone>(n: usize, value: T) -> Vec<T> {
    let mut v = with_capacity(n);
    v.resize(n, value);
    v
}

/// A vector of `n` default values, on huge pages where the system gives them. For integers and
/// tuples of them (whose default is all zero bits) the allocator hands out memory that is zero
/// already and untouched (`calloc`), so nothing is written here: the pages are zeroed by the
/// kernel when first touched, as they would be anyway, instead of twice. For other types it is
/// `filled` with the default.
pub(crate) fn zeroed<T: Clone + Default>(n: usize) -> Vec<T> {
    let v = vec![T::default(); n];
    advise(&v);
    v
}

/// An empty vector with room for `n`, on huge pages where the system gives them (before any
/// of it is touched, so the first touch of each 2 MiB brings a huge page).
pub(crate) fn with_capacity<T>(n: usize) -> Vec<T> {
    let v = Vec::with_capacity(n);
    advise(&v);
    v
}

/// A vector of the items of `it`, whose length is known up front, on huge pages.
pub(crate) fn collected<T>(it: impl ExactSizeIterator<Item = T>) -> Vec<T> {
    let mut v = with_capacity(it.len());
    v.extend(it);
    v
}

/// Make room for `additional` more items in `v`, as `Vec::reserve` does (doubling), keeping a
/// table that grows item by item (the graph's columns, as events arrive) on huge pages.
/// The check is inlined into the loops that push (it is one comparison, met once per item);
/// the growth is not (it is met a few dozen times per table).
#[inline(always)]
pub(crate) fn reserve<T>(v: &mut Vec<T>, additional: usize) {
    if v.capacity() - v.len() < additional {
        grow(v, additional);
    }
}

#[cold]
#[inline(never)]
fn grow<T>(v: &mut Vec<T>, additional: usize) {
    let want = v.len().saturating_add(additional).max(v.capacity() * 2);
    if want.saturating_mul(std::mem::size_of::<T>()) >= MIN_BYTES {
        // Into room advised before the items are copied in: `realloc` would copy them into
        // memory not yet advised, which the copy then faults in 4 KiB at a time.
        let mut grown = with_capacity(want);
        grown.append(v);
        *v = grown;
    } else {
        v.reserve(additional);
    }
}

/// Ask for huge pages over the whole 2 MiB blocks of `v`'s allocation.
fn advise<T>(v: &Vec<T>) {
    let bytes = v.capacity().saturating_mul(std::mem::size_of::<T>());
    advise_range(v.as_ptr() as usize, bytes);
}

/// Ask for huge pages over the whole 2 MiB blocks of the `bytes` allocated at `start`.
#[cfg(target_os = "linux")]
pub(crate) fn advise_range(start: usize, bytes: usize) {
    const HUGE: usize = 2 << 20;
    if bytes < MIN_BYTES {
        return;
    }
    let (from, to) = (start.next_multiple_of(HUGE), (start + bytes) & !(HUGE - 1));
    if to > from {
        // SAFETY: [from, to) lies inside the caller's allocation. MADV_HUGEPAGE only sets a
        // flag on the mapping (how the kernel may back it); it reads and writes no memory, and
        // an error (huge pages unsupported or disabled) leaves the mapping as it was, which is
        // fine.
        unsafe {
            libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn advise_range(start: usize, bytes: usize) {
    let _ = (start, bytes, MIN_BYTES);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_hold_what_was_asked_at_any_size() {
        for n in [0, 1, 1000, (MIN_BYTES / 4) + 12_345] {
            let v = filled(n, 7u32);
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|&x| x == 7));
            let z: Vec<(u32, i64)> = zeroed(n);
            assert!(z.len() == n && z.iter().all(|&e| e == (0, 0)));
            let c: Vec<u64> = collected((0..n).map(|i| i as u64 * 3));
            assert_eq!(c.len(), n);
            assert!(c.iter().enumerate().all(|(i, &x)| x == i as u64 * 3));
            assert!(with_capacity::<u8>(n).capacity() >= n);
            // Growing keeps the items, across the size where room starts being advised.
            let mut g: Vec<u64> = Vec::new();
            for i in 0..n as u64 {
                reserve(&mut g, 1);
                g.push(i);
            }
            assert!(g.iter().enumerate().all(|(i, &x)| x == i as u64));
        }
    }

    /// The advice reaches the kernel: the mapping holding a large table is flagged `hg`
    /// (huge pages asked for) in `/proc/self/smaps`, where the system has huge pages at all.
    #[cfg(target_os = "linux")]
    #[test]
    fn large_tables_ask_for_huge_pages() {
        let thp = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled");
        if thp.map_or(true, |s| s.contains("[never]")) {
            return;
        }
        let v = filled(8 << 20, 1u32);
        assert_asks_for_huge_pages(v.as_ptr() as usize + v.len() * 2);
        // A zeroed table too: the advice comes after the allocation but before any page of it
        // is touched, as nothing is written to it.
        let z: Vec<(u32, i64)> = zeroed(4 << 20);
        assert_asks_for_huge_pages(z.as_ptr() as usize + z.len() * 8);
        // And a table grown item by item past the size where room is advised.
        let mut g: Vec<u32> = Vec::new();
        for i in 0..8u32 << 20 {
            reserve(&mut g, 1);
            g.push(i);
        }
        assert_asks_for_huge_pages(g.as_ptr() as usize + g.len() * 2);
    }

    #[cfg(target_os = "linux")]
    fn assert_asks_for_huge_pages(at: usize) {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        let mut flags = None;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((a, b)) = range.split_once('-')
                && let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
            {
                inside = a <= at && at < b;
                continue;
            }
            if inside && let Some(f) = line.strip_prefix("VmFlags:") {
                flags = Some(f.to_owned());
            }
        }
        let flags = flags.unwrap();
        assert!(flags.split_whitespace().any(|f| f == "hg"), "{flags}");
    }
}
