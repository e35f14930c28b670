//! Dense layers on the CPU: x·W (+ b) and its two gradients as one gemm each, written straight
//! into a fresh buffer. burn-flex's matmul zero-fills its output and then copies it once more
//! to realign it (`FlexTensor::empty` → `Bytes::from_bytes_vec`), and its bias add is another
//! pass; here the output is written once (the bias rows first, then the product added on top).

use burn_flex::FlexTensor;
use rayon::prelude::*;

/// Below this many multiply-adds a gemm stays on the calling thread (burn-flex's threshold).
const PARALLEL_WORK: usize = 192 * 192 * 192;

/// A 2-D view of a tensor's buffer: any strides, so transposes are free.
#[derive(Clone, Copy)]
pub struct Matrix<'a> {
    data: &'a [f32],
    offset: usize,
    rows: usize,
    cols: usize,
    row_stride: isize,
    col_stride: isize,
}

impl<'a> Matrix<'a> {
    pub fn of(t: &'a FlexTensor) -> Self {
        let layout = t.layout();
        let (shape, strides) = (layout.shape(), layout.strides());
        assert_eq!(shape.num_dims(), 2, "a dense layer works on 2-D tensors");
        Matrix {
            data: t.storage::<f32>(),
            offset: layout.start_offset(),
            rows: shape[0],
            cols: shape[1],
            row_stride: strides[0],
            col_stride: strides[1],
        }
    }

    pub fn transposed(self) -> Self {
        Matrix {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    fn ptr(&self) -> *const f32 {
        // In bounds: the layout's offset addresses the view's first element in its buffer.
        self.data[self.offset..].as_ptr()
    }
}

/// lhs·rhs `[m, n]`, plus `bias` `[n]` on every row when given.
pub fn product(lhs: Matrix, rhs: Matrix, bias: Option<&[f32]>) -> Vec<f32> {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert_eq!(k, rhs.rows, "inner dimensions of a product");
    let mut out: Vec<f32> = Vec::with_capacity(m * n);
    if let Some(bias) = bias {
        assert_eq!(bias.len(), n, "one bias per output column");
        let rows_per_task = (32 * 1024 / n.max(1)).max(1);
        out.spare_capacity_mut()[..m * n]
            .par_chunks_mut(rows_per_task * n.max(1))
            .for_each(|block| {
                for row in block.chunks_exact_mut(n) {
                    // SAFETY: `row` has room for exactly n values, as many as `bias` holds;
                    // a row-wise copy is a memcpy (zipping with a cycling iterator was a
                    // scalar loop that cost 5 % of a classification).
                    unsafe {
                        std::ptr::copy_nonoverlapping(bias.as_ptr(), row.as_mut_ptr().cast(), n);
                    }
                }
            });
    }
    let parallelism = if m.saturating_mul(n).saturating_mul(k) >= PARALLEL_WORK {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the output has room for m·n values laid out row-major (row stride n); with a
    // bias every value was written above and gemm adds the product to it (read_dst), without
    // one gemm writes every value and reads none. Both inputs are read through their own
    // layouts, which stay inside their buffers.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            bias.is_some(),
            lhs.ptr(),
            lhs.col_stride,
            lhs.row_stride,
            rhs.ptr(),
            rhs.col_stride,
            rhs.row_stride,
            1.0f32,
            1.0f32,
            false,
            false,
            false,
            parallelism,
        );
        out.set_len(m * n);
    }
    out
}

/// Column sums of a `[rows, d]` matrix (a bias's gradient): partial sums over blocks of rows
/// in parallel, added in block order (the same bits on every run).
pub fn column_sums(values: &[f32], d: usize) -> Vec<f32> {
    let rows_per_task = (32 * 1024 / d.max(1)).max(1);
    let partials: Vec<Vec<f32>> = values
        .par_chunks(rows_per_task * d.max(1))
        .map(|block| {
            let mut sums = vec![0.0f32; d];
            for row in block.chunks_exact(d) {
                sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
            }
            sums
        })
        .collect();
    let mut total = vec![0.0f32; d];
    for part in partials {
        total.iter_mut().zip(&part).for_each(|(t, p)| *t += p);
    }
    total
}
