//! Plain connected components (union-find, no rules): the baseline the networkx comparison
//! (`scripts/bench/identity_vs_networkx.py`) runs against, on the links
//! [`IdentityGraph::links`](super::IdentityGraph::links) exports.

use super::resolve::{prefetch, root};

/// Plain connected components of `links` over `nodes` nodes (union-find, no rules): the baseline
/// the networkx comparison runs against. Returns the number of components.
///
/// ```
/// use o2o_core::identity::connected_components;
/// assert_eq!(connected_components(4, [(0, 1), (2, 3), (1, 0)]), 2);
/// ```
pub fn connected_components(nodes: usize, links: impl IntoIterator<Item = (u32, u32)>) -> usize {
    let mut parent: Vec<u32> = (0..nodes as u32).collect();
    let mut size = vec![1u32; nodes];
    let mut components = nodes;
    let mut links = links
        .into_iter()
        .filter(|&(a, b)| (a as usize) < nodes && (b as usize) < nodes);
    // Links are read a chunk ahead and their nodes prefetched while the previous chunk is joined.
    const CHUNK: usize = 64;
    let mut cur: Vec<(u32, u32)> = Vec::with_capacity(CHUNK);
    let mut ahead: Vec<(u32, u32)> = Vec::with_capacity(CHUNK);
    loop {
        std::mem::swap(&mut cur, &mut ahead);
        ahead.clear();
        ahead.extend(links.by_ref().take(CHUNK));
        for &(a, b) in &ahead {
            prefetch(&parent, a as usize);
            prefetch(&parent, b as usize);
        }
        if cur.is_empty() && ahead.is_empty() {
            break;
        }
        for &(a, b) in &cur {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            if ra != rb {
                // Union by size keeps the trees shallow.
                let (big, small) = if size[ra as usize] >= size[rb as usize] {
                    (ra, rb)
                } else {
                    (rb, ra)
                };
                parent[small as usize] = big;
                size[big as usize] += size[small as usize];
                components -= 1;
            }
        }
    }
    components
}
