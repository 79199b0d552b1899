//! The CPU side of `Mesh::set`: the fused copy + finiteness check + bounds
//! (`memory::rows::copy_checked`) against a plain memcpy of the same bytes.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use forge3d::memory::rows::copy_checked;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("vertex_copy");
    for n in [10_000usize, 100_000, 1_000_000, 4_000_000] {
        let src: Vec<f32> = (0..n * 3).map(|i| (i % 1000) as f32 * 0.01).collect();
        let mut dst = vec![0u8; src.len() * 4];
        g.throughput(Throughput::Bytes(dst.len() as u64));
        g.bench_with_input(BenchmarkId::new("memcpy", n), &n, |b, _| {
            b.iter(|| dst.copy_from_slice(bytemuck::cast_slice(&src)))
        });
        g.bench_with_input(BenchmarkId::new("copy_checked_bounds", n), &n, |b, _| {
            b.iter(|| copy_checked::<3>(&mut dst, &src, true, "bench").unwrap())
        });
        g.bench_with_input(BenchmarkId::new("copy_checked", n), &n, |b, _| {
            b.iter(|| copy_checked::<3>(&mut dst, &src, false, "bench").unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
