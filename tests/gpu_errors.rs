//! wgpu's validation errors become `Error::Gpu` values, never panics.

use forge3d::{wgpu, Error, GpuContext};

#[test]
fn a_validation_error_inside_a_scope_is_returned_as_gpu_error() {
    let ctx = GpuContext::shared().expect("a GPU adapter");
    let err = ctx
        .scoped("creating a bad texture", || {
            ctx.device.create_texture(&wgpu::TextureDescriptor {
                label: None,
                size: wgpu::Extent3d {
                    width: 0,
                    height: 4,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8Unorm,
                usage: wgpu::TextureUsages::COPY_SRC,
                view_formats: &[],
            })
        })
        .err()
        .expect("zero-sized texture must fail validation");
    match err {
        Error::Gpu(msg) => assert!(msg.contains("creating a bad texture"), "{msg}"),
        other => panic!("expected Error::Gpu, got {other:?}"),
    }
    // The context stays usable afterwards.
    let r = forge3d::Renderer::with_context(ctx, 8, 8).unwrap();
    assert_eq!(r.render_triangle().unwrap().shape(), [8, 8, 4]);
}
