//! The little dense linear algebra the regressions need: invert a small symmetric matrix.

use super::error::UpliftError;

/// Invert a k×k matrix (row-major `Vec<Vec<f64>>`) by Gauss–Jordan elimination with partial
/// pivoting; a pivot below `1e-12 ×` the largest diagonal entry means the design is singular.
pub(crate) fn invert(a: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, UpliftError> {
    let k = a.len();
    let scale = a
        .iter()
        .enumerate()
        .map(|(i, r)| r.get(i).copied().unwrap_or(0.0).abs())
        .fold(0.0, f64::max);
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.resize(k, 0.0);
            row.extend((0..k).map(|j| if i == j { 1.0 } else { 0.0 }));
            row
        })
        .collect();
    for col in 0..k {
        // Rows col..k exist (m has k rows); pick the largest pivot.
        let piv = (col..k)
            .max_by(|&x, &y| m[x][col].abs().total_cmp(&m[y][col].abs()))
            .unwrap_or(col);
        if m[piv][col].abs() <= 1e-12 * scale.max(f64::MIN_POSITIVE) {
            return Err(UpliftError::Degenerate(
                "the design matrix is singular (a cell of the design has no data)".into(),
            ));
        }
        m.swap(col, piv);
        let p = m[col][col];
        for v in m[col].iter_mut() {
            *v /= p;
        }
        let pivot_row = m[col].clone();
        for (r, row) in m.iter_mut().enumerate() {
            let f = row[col];
            if r != col && f != 0.0 {
                for (v, p) in row.iter_mut().zip(&pivot_row) {
                    *v -= f * p;
                }
            }
        }
    }
    Ok(m.into_iter().map(|r| r[k..].to_vec()).collect())
}
