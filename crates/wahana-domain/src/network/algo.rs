//! Degrees, connected components and betweenness centrality over a [`Graph`].

use super::Graph;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The connected components of a graph.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Components {
    /// How many components (an isolated node is one).
    pub count: usize,
    /// The size of the largest (0 for an empty graph).
    pub largest: usize,
    /// Each node's component; components are numbered in order of their lowest node.
    pub membership: Vec<u32>,
    /// Each component's size, by number.
    pub sizes: Vec<u32>,
}

/// Betweenness splits its sources into this many fixed blocks, summed in block order, so the
/// result is the same to the last bit whatever the number of threads.
const BLOCKS: usize = 64;

const UNSEEN: u32 = u32::MAX;

impl Graph {
    /// Each node's degree (number of distinct neighbours).
    pub fn degrees(&self) -> Vec<u32> {
        self.offsets
            .windows(2)
            .map(|w| (w[1] - w[0]) as u32)
            .collect()
    }

    /// The degree of node `i` (0 out of range).
    pub fn degree(&self, i: usize) -> usize {
        self.neighbors(i).len()
    }

    /// The connected components, by breadth-first search. Linear in nodes and ties; besides the
    /// result it holds one `u32` queue of the node count.
    pub fn components(&self) -> Components {
        let n = self.node_count;
        let mut membership = vec![UNSEEN; n];
        // Every node enters the queue once, so one buffer holds every component's search.
        let mut queue: Vec<u32> = Vec::with_capacity(n);
        let mut sizes: Vec<u32> = Vec::new();
        for s in 0..n {
            if membership[s] != UNSEEN {
                continue;
            }
            let c = sizes.len() as u32;
            let first = queue.len();
            membership[s] = c;
            queue.push(s as u32);
            let mut head = first;
            while head < queue.len() {
                let v = queue[head] as usize;
                head += 1;
                for &w in &self.targets[self.offsets[v]..self.offsets[v + 1]] {
                    let m = &mut membership[w as usize];
                    if *m == UNSEEN {
                        *m = c;
                        queue.push(w);
                    }
                }
            }
            sizes.push((queue.len() - first) as u32);
        }
        Components {
            count: sizes.len(),
            largest: sizes.iter().copied().max().unwrap_or(0) as usize,
            membership,
            sizes,
        }
    }

    /// Betweenness centrality of each node, normalised as networkx's
    /// `betweenness_centrality(G)` does for an undirected graph (`normalized=True`,
    /// `endpoints=False`): the sum over ordered pairs `(s, t)` of the share of shortest `s`–`t`
    /// paths through the node, times `1 / ((n - 1)(n - 2))` (no scaling when `n <= 2`).
    ///
    /// Brandes' algorithm with breadth-first search, O(n·m); the sources are spread over the
    /// available cores.
    pub fn betweenness(&self) -> Vec<f64> {
        let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
        self.betweenness_with_threads(threads)
    }

    /// [`Graph::betweenness`] on at most `threads` threads (at least one). The result does not
    /// depend on the number of threads.
    pub fn betweenness_with_threads(&self, threads: usize) -> Vec<f64> {
        let n = self.node_count;
        let mut total = vec![0.0; n];
        if n < 3 || self.targets.is_empty() {
            return total;
        }
        let block_len = n.div_ceil(BLOCKS);
        let blocks = n.div_ceil(block_len);
        let next = AtomicUsize::new(0);
        let merge = Mutex::new(Merge {
            total: &mut total,
            next: 0,
            pending: BTreeMap::new(),
        });
        let work = || {
            let mut ws = Workspace::new(n);
            let mut acc: Vec<f64> = Vec::new();
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= blocks {
                    break;
                }
                acc.clear();
                acc.resize(n, 0.0);
                for s in b * block_len..((b + 1) * block_len).min(n) {
                    ws.single_source(self, s, &mut acc);
                }
                let mut m = merge.lock().unwrap_or_else(|e| e.into_inner());
                acc = m.offer(b, std::mem::take(&mut acc));
            }
        };
        let threads = threads.clamp(1, blocks);
        if threads == 1 {
            work();
        } else {
            std::thread::scope(|scope| {
                for _ in 1..threads {
                    scope.spawn(work);
                }
                work();
            });
        }
        // As networkx's `_rescale` (n > 2 here): N = n - 1 possible targets, and the sums over
        // ordered pairs are multiplied by 1 / (N (N - 1)).
        let scale = 1.0 / (((n - 1) * (n - 2)) as f64);
        for b in &mut total {
            *b *= scale;
        }
        total
    }
}

/// Adds finished blocks into the total in block order.
struct Merge<'a> {
    total: &'a mut [f64],
    next: usize,
    pending: BTreeMap<usize, Vec<f64>>,
}

impl Merge<'_> {
    /// Takes block `b`'s sums; hands back a buffer to reuse (possibly empty).
    fn offer(&mut self, b: usize, acc: Vec<f64>) -> Vec<f64> {
        self.pending.insert(b, acc);
        let mut spare = Vec::new();
        while let Some(done) = self.pending.remove(&self.next) {
            for (t, x) in self.total.iter_mut().zip(&done) {
                *t += x;
            }
            self.next += 1;
            spare = done;
        }
        spare
    }
}

/// One thread's scratch space for single-source searches.
struct Workspace {
    /// `stamp[v] == current`: the search from the current source has reached `v`. Stamping
    /// spares clearing a `seen` array for each source.
    stamp: Vec<u32>,
    current: u32,
    /// The nodes in the order the search reached them, level by level, with room for one more.
    order: Vec<u32>,
    /// Where each level starts in `order`, and one past the end.
    levels: Vec<usize>,
    /// The number of shortest paths from the source, by position in `order`.
    sigma: Vec<f64>,
    /// Scratch sums, by position in `order`.
    sums: Vec<f64>,
    /// By node, 0 between searches. Outward: the path counts of the level just finished
    /// (`front`). Inward: `(1 + delta) / sigma` once the node's dependency is known (`coeff`).
    /// One array serves both passes, so that less of the cache is taken.
    by_node: Vec<f64>,
}

impl Workspace {
    fn new(n: usize) -> Workspace {
        Workspace {
            stamp: vec![0; n],
            current: 0,
            order: vec![0; n + 1],
            levels: Vec::new(),
            sigma: vec![0.0; n],
            sums: vec![0.0; n],
            by_node: vec![0.0; n],
        }
    }

    /// Adds source `s`'s dependencies into `acc`: Brandes' algorithm, counting shortest paths
    /// level by level outward and accumulating dependencies level by level inward.
    ///
    /// Neither pass tests a neighbour's distance, a branch the processor cannot predict and
    /// which costs more than the arithmetic here. Neighbours lie at most one level apart, so
    /// a node's path count is the sum of `front` over all its neighbours while `front` holds
    /// only the previous level's counts; and its dependency is `sigma` times the sum of `coeff`
    /// over all its neighbours while `coeff` is set only for the levels beyond it.
    fn single_source(&mut self, g: &Graph, s: usize, acc: &mut [f64]) {
        let neighbors = |v: usize| &g.targets[g.offsets[v]..g.offsets[v + 1]];
        if neighbors(s).is_empty() {
            return;
        }
        if self.current == u32::MAX {
            self.stamp.fill(0);
            self.current = 0;
        }
        self.current += 1;
        let Workspace {
            stamp,
            current,
            order,
            levels,
            sigma,
            sums,
            by_node,
        } = self;
        let (cur, stamp, order, sigma, sums, front) = (
            *current,
            &mut stamp[..],
            &mut order[..],
            &mut sigma[..],
            &mut sums[..],
            &mut by_node[..],
        );
        stamp[s] = cur;
        order[0] = s as u32;
        levels.clear();
        let mut len = 1;
        let (mut previous, mut start) = (0, 0);
        // Outward, level by level from the source's (level 0).
        while start < len {
            levels.push(start);
            let end = len;
            for k in start..end {
                let w = order[k] as usize;
                let mut sum = [0.0f64; 2];
                for (i, &u) in neighbors(w).iter().enumerate() {
                    let ui = u as usize;
                    sum[i & 1] += front[ui];
                    // Reach u; append it when new. Written always, kept only when new:
                    // `order` has room for one more.
                    let new = stamp[ui] != cur;
                    stamp[ui] = cur;
                    order[len] = u;
                    len += usize::from(new);
                }
                sigma[k] = sum[0] + sum[1];
            }
            if start == 0 {
                // One path from the source to itself.
                sigma[0] = 1.0;
            }
            for &v in &order[previous..start] {
                front[v as usize] = 0.0;
            }
            for k in start..end {
                front[order[k] as usize] = sigma[k];
            }
            (previous, start) = (start, end);
        }
        for &v in &order[previous..len] {
            front[v as usize] = 0.0;
        }
        levels.push(len);
        let coeff = front;

        // Inward, from the farthest level to level 1 (level 0 is s, which gets no credit).
        for l in (1..levels.len() - 1).rev() {
            let (a, b) = (levels[l], levels[l + 1]);
            for k in a..b {
                sums[k] = gather_sum(neighbors(order[k] as usize), coeff);
            }
            for k in a..b {
                let w = order[k] as usize;
                let delta = sigma[k] * sums[k];
                acc[w] += delta;
                coeff[w] = (1.0 + delta) / sigma[k];
            }
        }
        for &v in &order[..len] {
            coeff[v as usize] = 0.0;
        }
    }
}

/// `values` summed over `nodes`, in four independent sums so that the additions overlap.
fn gather_sum(nodes: &[u32], values: &[f64]) -> f64 {
    let mut s = [0.0f64; 4];
    let mut chunks = nodes.chunks_exact(4);
    for c in &mut chunks {
        s[0] += values[c[0] as usize];
        s[1] += values[c[1] as usize];
        s[2] += values[c[2] as usize];
        s[3] += values[c[3] as usize];
    }
    for (i, &v) in chunks.remainder().iter().enumerate() {
        s[i] += values[v as usize];
    }
    (s[0] + s[1]) + (s[2] + s[3])
}

#[cfg(test)]
mod tests {
    use super::super::tests::letters;
    use super::*;

    /// Splitmix64, for random test graphs.
    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn random_graph(n: u32, m: usize, seed: u64) -> Graph {
        let mut s = seed;
        let edges: Vec<(u32, u32)> = (0..m)
            .map(|_| {
                let a = (splitmix(&mut s) % u64::from(n)) as u32;
                let b = (splitmix(&mut s) % u64::from(n)) as u32;
                (a, b)
            })
            .collect();
        Graph::from_edges(n as usize, &edges)
    }

    #[test]
    fn betweenness_by_hand() {
        // Normalised: unordered pairs through the node times 2 / ((n-1)(n-2)).
        // (nodes, ties, expected in node order)
        let cases: &[(&str, &str, &[f64])] = &[
            // Path a-b-c-d-e: b carries {a,c},{a,d},{a,e} = 3 pairs, c carries 4; 2/12 each.
            ("abcde", "ab bc cd de", &[0.0, 0.5, 4.0 / 6.0, 0.5, 0.0]),
            // Star: the centre carries all C(4,2) = 6 leaf pairs: 6 * 2/12 = 1.
            ("cabde", "ca cb cd ce", &[1.0, 0.0, 0.0, 0.0, 0.0]),
            // Square: each node carries half of one opposite pair: 0.5 * 2/6.
            ("abcd", "ab bc cd da", &[1.0 / 6.0; 4]),
            // Triangle plus path d-e-f: e carries {d,f}: 1 * 2/20.
            ("abcdef", "ab bc ca de ef", &[0.0, 0.0, 0.0, 0.0, 0.1, 0.0]),
            // Complete graph: no one is between.
            ("abcd", "ab ac ad bc bd cd", &[0.0; 4]),
            // Two nodes and one: no scaling, all zero.
            ("ab", "ab", &[0.0, 0.0]),
            ("a", "", &[0.0]),
            ("", "", &[]),
            // Parallel ties and self ties change nothing: path a-b-c, b carries 1 pair * 2/2.
            ("abc", "ab ba aa bc cb cc", &[0.0, 1.0, 0.0]),
            // Diamond a-{b,c}-d plus tail d-e: b and c split {a,d} and {a,e}; a and d split
            // {b,c}; d carries {a,e},{b,e},{c,e}. n = 5, factor 2/12.
            (
                "abcde",
                "ab ac bd cd de",
                &[0.5 / 6.0, 1.0 / 6.0, 1.0 / 6.0, 3.5 / 6.0, 0.0],
            ),
        ];
        for &(ids, ties, want) in cases {
            let got = letters(ids, ties).betweenness();
            assert_eq!(got.len(), want.len(), "{ids} {ties}");
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (g - w).abs() < 1e-12,
                    "{ids} {ties}: got {got:?}, want {want:?}"
                );
            }
        }
    }

    #[test]
    fn betweenness_does_not_depend_on_threads() {
        let g = random_graph(300, 500, 7);
        let one = g.betweenness_with_threads(1);
        for threads in [2, 3, 8, 100] {
            assert_eq!(
                one,
                g.betweenness_with_threads(threads),
                "{threads} threads"
            );
        }
        assert!(one.iter().any(|&b| b > 0.0));
    }

    #[test]
    fn components_and_degrees() {
        // (nodes, ties, count, largest, membership, degrees)
        let cases = [
            ("abcdef", "ab bc ca de ef", 2, 3, "000111", "222121"),
            ("abcde", "ab", 4, 2, "00123", "11000"),
            ("abcd", "da", 3, 2, "0120", "1001"),
            ("a", "", 1, 1, "0", "0"),
            ("", "", 0, 0, "", ""),
            ("abcde", "ae eb bd dc", 1, 5, "00000", "12122"),
        ];
        for (ids, ties, count, largest, membership, degrees) in cases {
            let g = letters(ids, ties);
            let c = g.components();
            let digits = |v: Vec<u32>| v.iter().map(|d| d.to_string()).collect::<String>();
            assert_eq!(
                (c.count, c.largest, digits(c.membership)),
                (count, largest, membership.to_owned()),
                "{ids} {ties}"
            );
            assert_eq!(c.sizes.iter().sum::<u32>() as usize, ids.len());
            assert_eq!(digits(g.degrees()), degrees, "{ids} {ties}");
        }
    }

    #[test]
    fn components_of_a_random_graph_agree_with_union_find() {
        let g = random_graph(2000, 1100, 11);
        let mut parent: Vec<usize> = (0..2000).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for (a, b) in g.ties() {
            let (ra, rb) = (find(&mut parent, a as usize), find(&mut parent, b as usize));
            parent[ra] = rb;
        }
        let c = g.components();
        // The two partitions agree when each root maps to one component and back.
        let mut to_comp = std::collections::HashMap::new();
        let mut to_root = std::collections::HashMap::new();
        for x in 0..2000 {
            let (r, m) = (find(&mut parent, x), c.membership[x]);
            assert_eq!(*to_comp.entry(r).or_insert(m), m, "node {x}");
            assert_eq!(*to_root.entry(m).or_insert(r), r, "node {x}");
        }
        assert!(
            c.count > 100 && c.largest > 100,
            "{} {}",
            c.count,
            c.largest
        );
        assert_eq!(to_comp.len(), c.count);
    }
}
