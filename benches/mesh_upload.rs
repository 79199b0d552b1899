//! The CPU side of `Mesh::set`: the fused copy + finiteness check + bounds
//! (`memory::checked::copy_rows`) against a plain memcpy of the same bytes.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use forge3d::memory::checked::{copy_rows as copy_checked, copy_rows_with as copy_checked_with};

/// 64-byte aligned bytes, like the page-aligned mapped upload memory the
/// real copy writes into.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

fn aligned(len: usize) -> Vec<Line> {
    vec![Line([0; 64]); len.div_ceil(64)]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("vertex_copy");
    for n in [10_000usize, 100_000, 1_000_000, 4_000_000] {
        let src: Vec<f32> = (0..n * 3).map(|i| (i % 1000) as f32 * 0.01).collect();
        let bytes = src.len() * 4;
        let mut lines = aligned(bytes);
        // SAFETY: `lines` holds at least `bytes` initialised bytes.
        let dst: &mut [u8] =
            unsafe { std::slice::from_raw_parts_mut(lines.as_mut_ptr().cast::<u8>(), bytes) };
        g.throughput(Throughput::Bytes(dst.len() as u64));
        g.bench_with_input(BenchmarkId::new("memcpy", n), &n, |b, _| {
            b.iter(|| dst.copy_from_slice(bytemuck::cast_slice(&src)))
        });
        g.bench_with_input(BenchmarkId::new("copy_checked_bounds", n), &n, |b, _| {
            b.iter(|| copy_checked::<3>(dst, &src, true, "bench").unwrap())
        });
        g.bench_with_input(BenchmarkId::new("copy_checked", n), &n, |b, _| {
            b.iter(|| copy_checked::<3>(dst, &src, false, "bench").unwrap())
        });
        // Each kernel this CPU has, with bounds (what positions use).
        for kernel in ["avx2", "portable"] {
            if copy_checked_with::<3>(kernel, dst, &src, true).is_none() {
                continue;
            }
            let id = BenchmarkId::new(format!("kernel_{kernel}"), n);
            g.bench_with_input(id, &n, |b, _| {
                b.iter(|| copy_checked_with::<3>(kernel, dst, &src, true).unwrap())
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
