//! The small linear algebra the Markov model needs: (I − Q) x = b for the transient part of an
//! absorbing chain. Dense LU with partial pivoting for small systems; Gauss–Seidel over sparse
//! rows for large ones (it converges because I − Q of an absorbing chain is a nonsingular
//! M-matrix). Written here rather than pulled from a crate: ~100 lines, no dependency for WASM.

/// Sparse row-wise Q: `rows[i]` lists `(j, q_ij)`.
pub(crate) type SparseRows = Vec<Vec<(usize, f64)>>;

/// Largest system solved densely (n³/3 flops ≈ 2·10⁷ at this size).
pub(crate) const DENSE_MAX: usize = 400;

/// Solve (I − Q) X = B for every right-hand side in `rhs` (each of length n).
pub(crate) fn solve_absorbing(q: &SparseRows, rhs: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
    let n = q.len();
    if n == 0 {
        return Ok(rhs.iter().map(|_| Vec::new()).collect());
    }
    if n <= DENSE_MAX {
        dense(q, rhs)
    } else {
        rhs.iter().map(|b| gauss_seidel(q, b)).collect()
    }
}

fn dense(q: &SparseRows, rhs: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
    let n = q.len();
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        a[i * n + i] = 1.0;
        for &(j, v) in &q[i] {
            a[i * n + j] -= v;
        }
    }
    lu_solve(a, n, rhs, 1e-300)
        .map_err(|Singular { pivot }| format!("singular system at pivot {pivot} of {n}"))
}

/// A singular system: `pivot` is the first column that depends on the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Singular {
    pub pivot: usize,
}

/// Solve A X = B for the dense row-major n × n matrix `a` and every right-hand side in `rhs`,
/// by LU with partial pivoting. A pivot below `tiny` (in absolute value) means A is singular:
/// the error names the pivot, which is the index of the first dependent column.
pub(crate) fn lu_solve(
    mut a: Vec<f64>,
    n: usize,
    rhs: &[Vec<f64>],
    tiny: f64,
) -> Result<Vec<Vec<f64>>, Singular> {
    let mut piv: Vec<usize> = (0..n).collect();
    for k in 0..n {
        let (mut p, mut best) = (k, a[k * n + k].abs());
        for i in k + 1..n {
            let v = a[i * n + k].abs();
            if v > best {
                p = i;
                best = v;
            }
        }
        if best < tiny {
            return Err(Singular { pivot: k });
        }
        if p != k {
            for j in 0..n {
                a.swap(k * n + j, p * n + j);
            }
            piv.swap(k, p);
        }
        let d = a[k * n + k];
        for i in k + 1..n {
            let f = a[i * n + k] / d;
            if f == 0.0 {
                continue;
            }
            a[i * n + k] = f;
            for j in k + 1..n {
                a[i * n + j] -= f * a[k * n + j];
            }
        }
    }
    Ok(rhs
        .iter()
        .map(|b| {
            let mut x: Vec<f64> = piv.iter().map(|&p| b[p]).collect();
            for i in 0..n {
                let mut s = x[i];
                for j in 0..i {
                    s -= a[i * n + j] * x[j];
                }
                x[i] = s;
            }
            for i in (0..n).rev() {
                let mut s = x[i];
                for j in i + 1..n {
                    s -= a[i * n + j] * x[j];
                }
                x[i] = s / a[i * n + i];
            }
            x
        })
        .collect())
}

fn gauss_seidel(q: &SparseRows, b: &[f64]) -> Result<Vec<f64>, String> {
    let n = q.len();
    let mut x = vec![0.0; n];
    for _ in 0..200_000 {
        let mut delta: f64 = 0.0;
        let mut scale: f64 = 0.0;
        for i in 0..n {
            let (mut s, mut diag) = (b[i], 1.0);
            for &(j, v) in &q[i] {
                if j == i {
                    diag -= v;
                } else {
                    s += v * x[j];
                }
            }
            let new = s / diag;
            delta = delta.max((new - x[i]).abs());
            scale = scale.max(new.abs());
            x[i] = new;
        }
        if delta <= 1e-15 * scale.max(1e-300) {
            return Ok(x);
        }
    }
    Err(format!("Gauss–Seidel did not converge on {n} states"))
}
