//! A new kind of layer needs only its own module: this file defines one (a
//! flat colored rectangle in clip space), adds it to a renderer beside the
//! built-in layers, and checks what it drew.

use forge3d::render::scene::{DrawData, Layer, Prepare};
use forge3d::render::{Bounds, TileLayout, COLOR_TARGET, DEPTH_FORMAT};
use forge3d::{Renderer, Result};

const QUAD_WGSL: &str = r#"
struct Tile { scale: vec2<f32>, offset: vec2<f32> };
@group(0) @binding(0) var<uniform> tile: Tile;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
    // Two triangles over x, y in [-0.5, 0.5] (the middle half of the frame).
    var p = array<vec2<f32>, 6>(
        vec2(-0.5, -0.5), vec2(0.5, -0.5), vec2(0.5, 0.5),
        vec2(-0.5, -0.5), vec2(0.5, 0.5), vec2(-0.5, 0.5));
    return vec4<f32>(p[i] * tile.scale + tile.offset, 0.0, 1.0);
}

@fragment
fn fs() -> @location(0) vec4<f32> {
    return vec4<f32>(1.0, 0.5, 0.0, 1.0);
}
"#;

/// The new layer kind: an orange rectangle over the middle of the frame.
struct Quad;

struct QuadDraw(wgpu::RenderPipeline);

impl DrawData for QuadDraw {
    fn draw(&self, pass: &mut wgpu::RenderPass<'_>) {
        pass.set_pipeline(&self.0);
        pass.draw(0..6, 0..1);
    }
}

impl Layer for Quad {
    fn kind(&self) -> &'static str {
        "quad"
    }
    fn bounds(&self) -> Option<Bounds> {
        None
    }
    fn needs_depth(&self) -> bool {
        false
    }
    fn prepare(&self, frame: &mut Prepare<'_>) -> Result<Box<dyn DrawData>> {
        let device = &frame.ctx.device;
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("quad"),
            source: wgpu::ShaderSource::Wgsl(QUAD_WGSL.into()),
        });
        let tile = TileLayout::get(frame.ctx);
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("quad"),
            bind_group_layouts: &[Some(&tile.0)],
            immediate_size: 0,
        });
        let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("quad"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: frame.depth.then(|| wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(false),
                depth_compare: Some(wgpu::CompareFunction::Always),
                stencil: Default::default(),
                bias: Default::default(),
            }),
            multisample: wgpu::MultisampleState {
                count: frame.samples,
                ..Default::default()
            },
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs"),
                compilation_options: Default::default(),
                targets: &COLOR_TARGET,
            }),
            multiview_mask: None,
            cache: None,
        });
        Ok(Box::new(QuadDraw(pipeline)))
    }
}

const ORANGE: [u8; 4] = [255, 128, 0, 255];

fn renderer() -> Renderer {
    Renderer::new(64, 48).expect("a GPU adapter (install mesa-vulkan-drivers for lavapipe)")
}

fn near(a: [u8; 4], b: [u8; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 1)
}

#[test]
fn a_new_layer_kind_draws_alone_through_the_one_render_call() {
    let r = renderer();
    let id = r.add_layer(Box::new(Quad));
    assert_eq!(r.layers(), vec![(id, "quad")]);
    let f = r.render().unwrap();
    assert!(near(f.pixel(32, 24), ORANGE), "{:?}", f.pixel(32, 24));
    assert_eq!(f.pixel(2, 2), r.background());
    // The rectangle covers x in [16, 48) and y in [12, 36).
    assert!(near(f.pixel(17, 13), ORANGE) && near(f.pixel(46, 34), ORANGE));
    assert_eq!(f.pixel(14, 24), r.background());
    assert_eq!(f.pixel(32, 38), r.background());
    assert!(r.remove_layer(id));
    assert!(!r.remove_layer(id));
    assert_eq!(r.render().unwrap().pixel(32, 24), r.background());
}

#[test]
fn a_new_layer_kind_draws_over_the_built_in_ones_in_order_with_msaa() {
    let r = renderer();
    let heights: Vec<f32> = (0..16 * 16).map(|i| (i % 16) as f32).collect();
    r.add_terrain(
        forge3d::render::HeightsRef {
            data: &heights,
            rows: 16,
            cols: 16,
        },
        Default::default(),
    )
    .unwrap();
    let plain = r.render().unwrap();
    let inside = |x: u32, y: u32| (16..48).contains(&x) && (12..36).contains(&y);
    let (ex, ey) = (0..48)
        .flat_map(|y| (0..64).map(move |x| (x, y)))
        .find(|&(x, y)| !inside(x, y) && plain.pixel(x, y) != r.background())
        .expect("the terrain shows outside the quad's rectangle");
    let quad = r.add_layer(Box::new(Quad));
    r.set_msaa(4).unwrap();
    let f = r.render().unwrap();
    let kinds: Vec<&str> = r.layers().into_iter().map(|(_, k)| k).collect();
    assert_eq!(kinds, ["terrain", "quad"]);
    assert!(
        near(f.pixel(32, 24), ORANGE),
        "drawn after the terrain, over it"
    );
    assert!(
        !near(f.pixel(ex, ey), ORANGE),
        "the terrain shows outside the quad"
    );
    assert_ne!(f.pixel(ex, ey), r.background());
    // The terrain's bounds alone frame the camera: the quad has none.
    assert_eq!(r.scene_bounds().max[0], 15.0);
    assert!(r.remove_layer(quad));
    assert!(
        r.terrain_stats().is_ok(),
        "removing the quad keeps the terrain"
    );
}
