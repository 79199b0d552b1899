//! Readback buffers return to the pool; alone in its binary so no other
//! test renders concurrently on the shared context.

use forge3d::Renderer;

#[test]
fn readback_buffers_are_pooled_across_renders() {
    let r = Renderer::new(320, 240).unwrap();
    drop(r.render_triangle().unwrap());
    let before = r.context().readback_pool.stats();
    for _ in 0..50 {
        drop(r.render_triangle().unwrap());
    }
    let after = r.context().readback_pool.stats();
    assert_eq!(after.created, before.created, "{before:?} -> {after:?}");
    assert_eq!(after.in_use, before.in_use);
}
