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
        if n > 2 {
            // As networkx's `_rescale`: N = n - 1 possible targets, scale 1 / (N (N - 1)).
            let scale = 1.0 / (((n - 1) * (n - 2)) as f64);
            for b in &mut total {
                *b *= scale;
            }
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

/// One thread's scratch space for single-source searches; reset after each source by walking
/// only the nodes it reached.
struct Workspace {
    dist: Vec<u32>,
    sigma: Vec<f64>,
    delta: Vec<f64>,
    order: Vec<u32>,
}

impl Workspace {
    fn new(n: usize) -> Workspace {
        Workspace {
            dist: vec![UNSEEN; n],
            sigma: vec![0.0; n],
            delta: vec![0.0; n],
            order: Vec::with_capacity(n),
        }
    }

    /// Adds source `s`'s dependencies into `acc` (Brandes: count shortest paths forward, then
    /// accumulate dependencies backward). Predecessors are found again among the neighbours
    /// one step nearer, rather than stored.
    fn single_source(&mut self, g: &Graph, s: usize, acc: &mut [f64]) {
        let Workspace {
            dist,
            sigma,
            delta,
            order,
        } = self;
        let (offsets, targets) = (&g.offsets, &g.targets);
        if offsets[s] == offsets[s + 1] {
            return;
        }
        order.clear();
        dist[s] = 0;
        sigma[s] = 1.0;
        order.push(s as u32);
        let mut head = 0;
        while head < order.len() {
            let v = order[head] as usize;
            head += 1;
            let (dv, sv) = (dist[v], sigma[v]);
            for &w in &targets[offsets[v]..offsets[v + 1]] {
                let w = w as usize;
                if dist[w] == UNSEEN {
                    dist[w] = dv + 1;
                    sigma[w] = sv;
                    order.push(w as u32);
                } else if dist[w] == dv + 1 {
                    sigma[w] += sv;
                }
            }
        }
        // order[0] is s itself, which has no predecessor and gets no credit.
        for &w in order[1..].iter().rev() {
            let w = w as usize;
            let before = dist[w] - 1;
            let coeff = (1.0 + delta[w]) / sigma[w];
            for &v in &targets[offsets[w]..offsets[w + 1]] {
                let v = v as usize;
                if dist[v] == before {
                    delta[v] += sigma[v] * coeff;
                }
            }
            acc[w] += delta[w];
        }
        for &w in order.iter() {
            let w = w as usize;
            dist[w] = UNSEEN;
            sigma[w] = 0.0;
            delta[w] = 0.0;
        }
    }
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
            // Diamond a-{b,c}-d plus tail d-e: b and c split {a,d},{a,e}; d carries
            // {a,e},{b,e},{c,e}. n = 5, factor 2/12.
            (
                "abcde",
                "ab ac bd cd de",
                &[0.0, 1.0 / 6.0, 1.0 / 6.0, 0.5, 0.0],
            ),
        ];
        for &(ids, ties, want) in cases {
            let got = letters(ids, ties).betweenness();
            assert_eq!(got.len(), want.len(), "{ids} {ties}");
            for (g, w) in got.iter().zip(want) {
                assert!((g - w).abs() < 1e-12, "{ids} {ties}: got {got:?}, want {want:?}");
            }
        }
    }

    #[test]
    fn betweenness_does_not_depend_on_threads() {
        let g = random_graph(300, 500, 7);
        let one = g.betweenness_with_threads(1);
        for threads in [2, 3, 8, 100] {
            assert_eq!(one, g.betweenness_with_threads(threads), "{threads} threads");
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
            ("abcde", "ae eb bd dc", 1, 5, "00000", "12212"),
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
        assert!(c.count > 100 && c.largest > 100, "{} {}", c.count, c.largest);
        assert_eq!(to_comp.len(), c.count);
    }
}
