//! Disjoint sets over dense `u32` ids (union-find with path halving), as connected-component
//! labelling, the zones' sieve and the gap areas' single linkage use them. [`UnionFind::union_min`]
//! keeps the smaller root, so when ids are made in scan order a set's root is its first member —
//! what lets labels come out numbered by their first cell (Wu, Otoo & Suzuki 2009).

/// Disjoint sets of the ids `0..len()`.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        Self { parent: (0..n as u32).collect() }
    }

    /// A new singleton; returns its id.
    pub fn push(&mut self) -> u32 {
        let id = self.parent.len() as u32;
        self.parent.push(id);
        id
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The root of `x`'s set (halving the path on the way).
    #[inline]
    pub fn find(&mut self, mut x: u32) -> u32 {
        let p = &mut self.parent;
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }

    /// Join the sets of `a` and `b` under the smaller of their roots; returns it.
    #[inline]
    pub fn union_min(&mut self, a: u32, b: u32) -> u32 {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        self.parent[hi as usize] = lo;
        lo
    }

    /// Put the set whose root is `root` under `to` (a root chosen by the caller, e.g. the largest
    /// neighbour in a sieve).
    pub fn attach(&mut self, root: u32, to: u32) {
        debug_assert!(self.is_root(root));
        self.parent[root as usize] = to;
    }

    pub fn is_root(&self, x: u32) -> bool {
        self.parent[x as usize] == x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_join_under_their_smallest_member() {
        let mut u = UnionFind::new(6);
        assert_eq!(u.union_min(4, 2), 2);
        assert_eq!(u.union_min(5, 4), 2);
        assert_eq!(u.union_min(1, 3), 1);
        assert_eq!((0..6).map(|x| u.find(x)).collect::<Vec<_>>(), vec![0, 1, 2, 1, 2, 2]);
        u.attach(2, 1);
        assert_eq!((0..6).map(|x| u.find(x)).collect::<Vec<_>>(), vec![0, 1, 1, 1, 1, 1]);
        assert!(u.is_root(0) && u.is_root(1) && !u.is_root(5));
        assert_eq!(u.push(), 6);
        assert_eq!((u.len(), u.find(6)), (7, 6));
    }
}
