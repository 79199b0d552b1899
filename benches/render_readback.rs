//! Render + readback into mapped host memory, as Python sees it: one
//! `render_triangle` call returns a Frame over the readback mapping.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use forge3d::Renderer;

fn render_readback(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_triangle_readback");
    group.sample_size(10);
    for size in [512u32, 1024, 4096] {
        let r = Renderer::new(size, size).expect("a GPU adapter");
        drop(r.render_triangle().unwrap());
        group.throughput(Throughput::Bytes(size as u64 * size as u64 * 4));
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| {
                let frame = r.render_triangle().unwrap();
                // Touch the mapping so the readback cannot be skipped.
                std::hint::black_box(frame.as_bytes()[frame.as_bytes().len() / 2]);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, render_readback);
criterion_main!(benches);
