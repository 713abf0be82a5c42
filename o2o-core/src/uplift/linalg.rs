//! The little dense linear algebra the regressions need: solve a symmetric positive definite
//! system (the period effects of a two-way fixed-effects regression).

use super::error::UpliftError;

/// Solve `A x = b` for each right-hand side `b` in `rhs`, `A` symmetric positive definite
/// (row-major, k×k), by Cholesky factorisation. A pivot at or below `1e-12 ×` the largest
/// diagonal entry means `A` is singular (or nearly so) and is refused.
pub(crate) fn cholesky_solve(
    a: &[Vec<f64>],
    rhs: &[Vec<f64>],
) -> Result<Vec<Vec<f64>>, UpliftError> {
    let k = a.len();
    let scale = (0..k).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    // Lower-triangular L with A = L Lᵀ.
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = a[i][j] - (0..j).map(|m| l[i][m] * l[j][m]).sum::<f64>();
            if i == j {
                if !(s > 1e-12 * scale) {
                    return Err(UpliftError::Degenerate(
                        "the design matrix is singular".into(),
                    ));
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    Ok(rhs
        .iter()
        .map(|b| {
            // Forward: L z = b; backward: Lᵀ x = z.
            let mut z = vec![0.0; k];
            for i in 0..k {
                z[i] = (b[i] - (0..i).map(|m| l[i][m] * z[m]).sum::<f64>()) / l[i][i];
            }
            let mut x = vec![0.0; k];
            for i in (0..k).rev() {
                x[i] = (z[i] - (i + 1..k).map(|m| l[m][i] * x[m]).sum::<f64>()) / l[i][i];
            }
            x
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_refuses_singular() {
        let a = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let x = cholesky_solve(&a, &[vec![2.0, 1.0]]).unwrap_or_default();
        assert!((4.0 * x[0][0] + 2.0 * x[0][1] - 2.0).abs() < 1e-15);
        assert!((2.0 * x[0][0] + 3.0 * x[0][1] - 1.0).abs() < 1e-15);
        assert!(cholesky_solve(&[vec![1.0, 1.0], vec![1.0, 1.0]], &[vec![1.0, 1.0]]).is_err());
    }
}
