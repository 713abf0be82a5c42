//! Working memory kept between resolutions, on a [`Scratch`](super::Scratch) the caller owns.
//!
//! A resolution at 10 M observations writes about 650 MB of working tables, and freeing them
//! at the end hands the memory back to the system. Fresh memory is the dearest there is: on a
//! virtual machine that reports freed memory to its host (free page reporting, common in cloud
//! VMs), the host backs each block again, 4 KiB at a time, when it is next touched, and every
//! pass that writes fresh tables then runs at about two thirds of its speed. So the largest
//! working tables live on [`Tables`], which a caller resolving again and again keeps from one
//! resolution to the next: a resolution after the first writes memory that is resident already.
//!
//! What is kept must stay small: the tables of one pass are freed before the next pass makes
//! its own, so keeping each table apart would hold every pass's tables at once. Instead there
//! are a few [`Space`]s, each holding one table at a time, and each pass puts its tables in the
//! spaces the previous pass has finished with (the plan is on [`Space`]). Only the pages a table
//! touches become resident (room reserved up front stays virtual), so a space costs the most any
//! of its tables touches: about 52 bytes per identifier in all (docs/performance.md).

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

use super::pages;

/// Alignment of every block: a huge page on Linux (so that a whole block can be backed by huge
/// pages, see `pages`), a cache line elsewhere. Every table's items need less.
const ALIGN: usize = if cfg!(target_os = "linux") {
    2 << 20
} else {
    64
};

/// Where a resolution keeps one of its working tables. A space holds one table at a time; the
/// passes use them in turn, each space for a table no larger (in what it touches) than the
/// largest it holds anyway. Each is named after the table it holds while the union-find is
/// built. At 10 M observations (MB touched):
///
/// | space      | hub guard             | sessions, linking | profiles       | numbering, members |
/// |------------|-----------------------|-------------------|----------------|--------------------|
/// | `Elements` | meetings (96)         | elements (111)    | elements       | members (78)       |
/// | `Slots`    | grouped meetings (96) |                   | slots (85)     | slots              |
/// | `Tallies`  | joins (32)            | tallies (42)      | tallies        | numbering (24)     |
/// | `Verdicts` | parents (21)          | verdicts (10)     | sessions (20)  |                    |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Space {
    /// The union-find elements (and before them the hub guard's meetings, after them the
    /// members' sort keys).
    Elements,
    /// The profile slots (before them the hub guard's grouped meetings).
    Slots,
    /// The per-identifier tallies (before them the hub guard's joins, after them the profile
    /// numbering).
    Tallies,
    /// The per-observation hub verdicts (before them the hub guard's union-find parents, after
    /// them the time-bounded identifiers' session pairs).
    Verdicts,
}

const SPACES: usize = 4;

/// One allocation of raw memory, owned (freed when dropped).
struct Block {
    ptr: NonNull<u8>,
    /// Size in bytes; 0 for no allocation (`ptr` dangles).
    bytes: usize,
}

// SAFETY: a block owns its allocation alone, like a `Box<[u8]>`: nothing else points into it.
unsafe impl Send for Block {}

impl Block {
    const fn empty() -> Self {
        Block {
            ptr: NonNull::dangling(),
            bytes: 0,
        }
    }

    /// A block of at least `bytes` (a whole number of huge pages where those are used), whose
    /// pages the system backs only as they are first touched. Runs out of memory as `Vec` does.
    fn new(bytes: usize) -> Self {
        if bytes == 0 {
            return Block::empty();
        }
        let layout = match Layout::from_size_align(bytes.next_multiple_of(ALIGN), ALIGN) {
            Ok(l) => l,
            // More than `isize::MAX` bytes: no allocator can give that.
            Err(_) => handle_alloc_error(Layout::new::<u64>()),
        };
        // SAFETY: the layout's size is not zero (`bytes > 0`).
        let ptr = unsafe { alloc(layout) };
        let Some(ptr) = NonNull::new(ptr) else {
            handle_alloc_error(layout);
        };
        pages::advise_range(ptr.as_ptr() as usize, layout.size());
        Block {
            ptr,
            bytes: layout.size(),
        }
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        if self.bytes > 0 {
            // SAFETY: `ptr` was allocated by `Block::new` with exactly this layout (`bytes` is
            // the layout's size, which `from_size_align` accepted then).
            unsafe {
                dealloc(
                    self.ptr.as_ptr(),
                    Layout::from_size_align_unchecked(self.bytes, ALIGN),
                )
            };
        }
    }
}

/// A growable table of plain items (`Copy`: nothing to drop) on a block: a `Vec` whose memory
/// can outlive it, handed back to [`Tables`] for the next table. Reads and writes go through
/// the slice it dereferences to.
pub(crate) struct Table<T> {
    block: Block,
    ptr: NonNull<T>,
    len: usize,
    cap: usize,
    _items: PhantomData<T>,
}

impl<T: Copy> Table<T> {
    /// An empty table with no memory yet.
    pub(crate) fn new() -> Self {
        Table::on(Block::empty())
    }

    fn on(block: Block) -> Self {
        const {
            assert!(std::mem::size_of::<T>() > 0 && std::mem::align_of::<T>() <= ALIGN);
        }
        let cap = block.bytes / std::mem::size_of::<T>();
        let ptr = if cap == 0 {
            NonNull::dangling()
        } else {
            block.ptr.cast()
        };
        Table {
            block,
            ptr,
            len: 0,
            cap,
            _items: PhantomData,
        }
    }

    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }

    /// Make room for `additional` more items (doubling, as `Vec::reserve` does).
    #[inline(always)]
    pub(crate) fn reserve(&mut self, additional: usize) {
        if self.cap - self.len < additional {
            self.grow(additional);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self, additional: usize) {
        let want = self.len.checked_add(additional).and_then(|n| {
            n.max(self.cap.saturating_mul(2))
                .checked_mul(size_of::<T>())
        });
        let Some(bytes) = want else {
            handle_alloc_error(Layout::new::<T>());
        };
        let mut grown = Table::on(Block::new(bytes));
        grown.extend_from_slice(self);
        *self = grown;
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, item: T) {
        self.reserve(1);
        // SAFETY: `len < cap` after `reserve`, and `ptr` points to room for `cap` items.
        unsafe { self.ptr.as_ptr().add(self.len).write(item) };
        self.len += 1;
    }

    pub(crate) fn extend_from_slice(&mut self, items: &[T]) {
        self.reserve(items.len());
        // SAFETY: there is room for `items.len()` more after `reserve`; `items` cannot overlap
        // the room past `len` (nothing outside this table borrows it).
        unsafe {
            std::ptr::copy_nonoverlapping(
                items.as_ptr(),
                self.ptr.as_ptr().add(self.len),
                items.len(),
            )
        };
        self.len += items.len();
    }

    pub(crate) fn extend(&mut self, items: impl IntoIterator<Item = T>) {
        let items = items.into_iter();
        self.reserve(items.size_hint().0);
        for item in items {
            self.push(item);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// `n` items: the first ones kept, then copies of `value`.
    pub(crate) fn resize(&mut self, n: usize, value: T) {
        if n <= self.len {
            self.len = n;
            return;
        }
        self.reserve(n - self.len);
        for i in self.len..n {
            // SAFETY: `i < n <= cap` after `reserve`.
            unsafe { self.ptr.as_ptr().add(i).write(value) };
        }
        self.len = n;
    }
}

impl<T> Deref for Table<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        // SAFETY: the first `len` items were written (`push`, `extend_from_slice`, `resize`);
        // `ptr` is aligned and not null (dangling only when there is no room, with `len` 0).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> DerefMut for Table<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`; `&mut self` makes the borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<'a, T> IntoIterator for &'a Table<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The blocks a resolution keeps for the next (see the module documentation).
#[derive(Default)]
pub(crate) struct Tables {
    blocks: [Option<Block>; SPACES],
}

impl Tables {
    /// An empty table with room for `n` items on `space`'s block (a larger block replaces it
    /// if it is too small). Give it back with `keep`; a table dropped instead frees its block.
    pub(crate) fn table<T: Copy>(&mut self, space: Space, n: usize) -> Table<T> {
        let block = self.blocks[space as usize].take().unwrap_or(Block::empty());
        let fits = n
            .checked_mul(size_of::<T>())
            .is_some_and(|bytes| bytes <= block.bytes);
        let mut t = if fits {
            Table::on(block)
        } else {
            drop(block);
            Table::new()
        };
        t.reserve(n);
        t
    }

    /// `table` holding `n` copies of `value`.
    pub(crate) fn filled<T: Copy>(&mut self, space: Space, n: usize, value: T) -> Table<T> {
        let mut t = self.table(space, n);
        t.resize(n, value);
        t
    }

    /// Keep `table`'s memory in `space` for the next table there.
    pub(crate) fn keep<T>(&mut self, space: Space, table: Table<T>) {
        self.blocks[space as usize] = Some(table.block);
    }

    /// Bytes of address space held (what is resident is what tables touched of it).
    pub(crate) fn bytes(&self) -> usize {
        self.blocks.iter().flatten().map(|b| b.bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_a_vector() {
        let mut t: Table<(u32, u64)> = Table::new();
        let mut v = Vec::new();
        for i in 0..100_000u32 {
            t.push((i, u64::from(i) * 3));
            v.push((i, u64::from(i) * 3));
        }
        assert_eq!(&t[..], &v[..]);
        t.extend_from_slice(&v[..10]);
        t.extend((0..5).map(|i| (i, 0)));
        v.extend_from_slice(&v.clone()[..10]);
        v.extend((0..5).map(|i| (i, 0)));
        assert_eq!(&t[..], &v[..]);
        t.resize(7, (1, 1));
        assert_eq!(&t[..], &v[..7]);
        t.resize(9, (2, 2));
        assert_eq!(&t[7..], &[(2, 2), (2, 2)]);
        t[0].0 = 42;
        assert_eq!(t[0], (42, 0));
        t.clear();
        assert!(t.is_empty());
        let e: Table<u8> = Table::new();
        assert!(e.is_empty() && e.iter().next().is_none());
    }

    #[test]
    fn kept_memory_is_reused_across_types_and_grows() {
        let mut kept = Tables::default();
        let t: Table<u64> = kept.filled(Space::Elements, 1000, 7);
        assert!(t.iter().all(|&x| x == 7));
        let at = t.as_ptr() as usize;
        kept.keep(Space::Elements, t);
        let bytes = kept.bytes();
        assert!(bytes >= 8000);
        // The same block, read as another type, starts empty.
        let mut t: Table<(u32, u8)> = kept.table(Space::Elements, 1000);
        assert!(t.is_empty() && t.capacity() >= 1000);
        t.push((1, 2));
        assert_eq!(t.as_ptr() as usize, at);
        kept.keep(Space::Elements, t);
        // Too small: replaced by a larger one.
        let t: Table<u64> = kept.filled(Space::Elements, bytes, 1);
        assert!(t.len() == bytes && t.iter().all(|&x| x == 1));
        kept.keep(Space::Elements, t);
        assert!(kept.bytes() >= bytes * 8);
        // Another space is another block.
        let t: Table<u8> = kept.filled(Space::Slots, 3, 9);
        assert_eq!(&t[..], &[9, 9, 9]);
        drop(t);
    }
}
