//! The window's event handling: one window per [`super::run`], its
//! surface, its frame pacing and the input it passes to the driver.

use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::{ElementState, MouseButton, MouseScrollDelta, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow};
use winit::keyboard::{Key, NamedKey};
use winit::window::{Window, WindowId};

use super::blit::Blit;
use super::{Button, Driver, Input, WindowOptions, HEADLESS};
use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::render::{Renderer, ViewTarget};

/// The surface and what draws into it.
struct Gfx {
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    blit: Blit,
    view: ViewTarget,
}

pub(super) struct App<'a> {
    renderer: &'a Renderer,
    opts: &'a WindowOptions,
    driver: &'a mut dyn Driver,
    window: Option<Arc<Window>>,
    gfx: Option<Gfx>,
    pub(super) error: Option<Error>,
    pub(super) shown: u64,
    /// When the next paced frame is due, and whether the redraw asked for
    /// is that frame (other redraws, asked for by the system, present the
    /// scene again without a new frame: frames never outrun the fps).
    next: Instant,
    due: bool,
    interval: Duration,
    cursor: Option<(f64, f64)>,
    /// Buttons held, in the order they were pressed (a drag uses the last).
    held: Vec<Button>,
    shift: bool,
}

impl<'a> App<'a> {
    pub(super) fn new(
        renderer: &'a Renderer,
        opts: &'a WindowOptions,
        driver: &'a mut dyn Driver,
    ) -> Self {
        App {
            renderer,
            opts,
            driver,
            window: None,
            gfx: None,
            error: None,
            shown: 0,
            next: Instant::now(),
            due: false,
            interval: Duration::from_secs_f64(1.0 / opts.fps),
            cursor: None,
            held: Vec::new(),
            shift: false,
        }
    }

    /// The surface before its window; both now, so the window closes
    /// before the call returns.
    pub(super) fn close(&mut self) {
        self.gfx = None;
        self.window = None;
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, e: Error) {
        self.error.get_or_insert(e);
        event_loop.exit();
    }

    fn size(&self) -> (u32, u32) {
        self.gfx
            .as_ref()
            .map_or(self.opts.size, |g| (g.config.width, g.config.height))
    }

    fn open(&mut self, event_loop: &ActiveEventLoop) -> Result<()> {
        let (w, h) = self.opts.size;
        let attrs = Window::default_attributes()
            .with_title(self.opts.title.clone())
            .with_inner_size(PhysicalSize::new(w, h));
        let window = Arc::new(
            event_loop
                .create_window(attrs)
                .map_err(|e| Error::State(format!("could not open a window ({e}); {HEADLESS}")))?,
        );
        self.gfx = Some(gfx_for(self.renderer.context(), &window)?);
        self.window = Some(window);
        Ok(())
    }

    fn resize(&mut self, size: PhysicalSize<u32>) -> Result<()> {
        let ctx = self.renderer.context();
        if let Some(g) = self.gfx.as_mut() {
            if size.width > 0 && size.height > 0 {
                g.config.width = size.width;
                g.config.height = size.height;
                ctx.scoped("resizing the window's surface", || {
                    g.surface.configure(&ctx.device, &g.config)
                })?;
            }
        }
        Ok(())
    }

    /// A redraw: with `tick`, the driver's frame first (a paced frame);
    /// then the scene drawn and presented.
    fn redraw(&mut self, event_loop: &ActiveEventLoop, tick: bool) {
        if tick && !self.driver.frame(self.size()) {
            event_loop.exit();
            return;
        }
        let (Some(window), Some(g)) = (self.window.as_ref(), self.gfx.as_mut()) else {
            return;
        };
        if window.is_minimized() == Some(true) {
            return;
        }
        let mut outcome = present(self.renderer, g);
        if matches!(outcome, Err(Lost)) {
            // A surface can be lost while its window lives: the old one
            // goes first (one swapchain per window), then a new one.
            self.gfx = None;
            outcome = match gfx_for(self.renderer.context(), window) {
                Ok(g) => {
                    self.gfx = Some(g);
                    Ok(false)
                }
                Err(e) => Err(Failed(e)),
            };
        }
        match outcome {
            Ok(true) if tick => {
                self.shown += 1;
                if self.opts.frames.is_some_and(|n| self.shown >= n) {
                    event_loop.exit();
                }
            }
            Ok(_) => {}
            Err(Lost) => self.fail(
                event_loop,
                Error::Gpu("the window's surface was lost".into()),
            ),
            Err(Failed(e)) => self.fail(event_loop, e),
        }
    }

    /// What `event` means for the driver, if anything.
    fn input(&mut self, event_loop: &ActiveEventLoop, event: WindowEvent) -> Option<Input> {
        match event {
            WindowEvent::CloseRequested | WindowEvent::Destroyed => {
                // Destroyed: closed from outside (a window manager's kill,
                // xdotool windowclose); its surface is gone with it.
                self.gfx = None;
                event_loop.exit();
                None
            }
            WindowEvent::Resized(s) => {
                if let Err(e) = self.resize(s) {
                    self.fail(event_loop, e);
                }
                None
            }
            WindowEvent::RedrawRequested => {
                let tick = std::mem::take(&mut self.due);
                self.redraw(event_loop, tick);
                None
            }
            WindowEvent::ModifiersChanged(m) => {
                self.shift = m.state().shift_key();
                None
            }
            WindowEvent::Focused(false) => {
                // Releases while unfocused never arrive.
                self.held.clear();
                None
            }
            WindowEvent::MouseInput { state, button, .. } => {
                let b = match button {
                    MouseButton::Left => Some(Button::Left),
                    MouseButton::Right => Some(Button::Right),
                    MouseButton::Middle => Some(Button::Middle),
                    _ => None,
                };
                if let Some(b) = b {
                    self.held.retain(|h| *h != b);
                    if state == ElementState::Pressed {
                        self.held.push(b);
                    }
                }
                None
            }
            WindowEvent::CursorLeft { .. } => {
                self.cursor = None;
                None
            }
            WindowEvent::CursorMoved { position, .. } => {
                let was = self.cursor.replace((position.x, position.y));
                match (was, self.held.last()) {
                    (Some((x, y)), Some(&button)) => Some(Input::Drag {
                        dx: position.x - x,
                        dy: position.y - y,
                        button,
                        shift: self.shift,
                    }),
                    _ => None,
                }
            }
            WindowEvent::MouseWheel { delta, .. } => Some(Input::Wheel {
                notches: match delta {
                    MouseScrollDelta::LineDelta(_, y) => y as f64,
                    // Touchpads: about 50 pixels to a notch.
                    MouseScrollDelta::PixelDelta(p) => p.y / 50.0,
                },
            }),
            WindowEvent::KeyboardInput { event, .. }
                if event.state == ElementState::Pressed && !event.repeat =>
            {
                match event.logical_key {
                    Key::Character(c) => Some(Input::Key {
                        name: c.to_lowercase(),
                    }),
                    Key::Named(NamedKey::Escape) => Some(Input::Key {
                        name: "escape".into(),
                    }),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// Why a frame was not presented.
enum Skipped {
    /// The surface is gone; a new one may do.
    Lost,
    Failed(Error),
}
use Skipped::{Failed, Lost};

impl From<Error> for Skipped {
    fn from(e: Error) -> Self {
        Failed(e)
    }
}

fn surface_for(ctx: &GpuContext, window: &Arc<Window>) -> Result<wgpu::Surface<'static>> {
    ctx.instance
        .create_surface(window.clone())
        .map_err(|e| Error::Gpu(format!("could not draw into the window: {e}")))
}

/// A surface for `window`, configured, and its copy pipeline.
fn gfx_for(ctx: &GpuContext, window: &Arc<Window>) -> Result<Gfx> {
    let surface = surface_for(ctx, window)?;
    let caps = surface.get_capabilities(&ctx.adapter);
    let Some(&first) = caps.formats.first() else {
        return Err(Error::Gpu(format!(
            "the GPU adapter {:?} cannot present to this window (no surface formats); {HEADLESS}",
            ctx.info.name
        )));
    };
    // Plain 8-bit formats first (the tiles are copied as they are).
    let format = [
        wgpu::TextureFormat::Bgra8Unorm,
        wgpu::TextureFormat::Rgba8Unorm,
    ]
    .into_iter()
    .find(|f| caps.formats.contains(f))
    .unwrap_or(first);
    let alpha_mode = if caps.alpha_modes.contains(&wgpu::CompositeAlphaMode::Opaque) {
        wgpu::CompositeAlphaMode::Opaque
    } else {
        caps.alpha_modes
            .first()
            .copied()
            .unwrap_or(wgpu::CompositeAlphaMode::Auto)
    };
    let inner = window.inner_size();
    let config = wgpu::SurfaceConfiguration {
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
        format,
        width: inner.width.max(1),
        height: inner.height.max(1),
        present_mode: wgpu::PresentMode::AutoVsync,
        desired_maximum_frame_latency: 2,
        alpha_mode,
        view_formats: vec![],
        color_space: Default::default(),
    };
    let blit = ctx.scoped("configuring the window's surface", || {
        surface.configure(&ctx.device, &config);
        Blit::new(&ctx.device, format)
    })?;
    Ok(Gfx {
        surface,
        config,
        blit,
        view: ViewTarget::default(),
    })
}

/// Draws the scene onto `g`'s surface and presents it; false when the
/// surface had no image to give this time.
fn present(renderer: &Renderer, g: &mut Gfx) -> std::result::Result<bool, Skipped> {
    let ctx = renderer.context();
    let image = match g.surface.get_current_texture() {
        wgpu::CurrentSurfaceTexture::Success(t) | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
        wgpu::CurrentSurfaceTexture::Outdated => {
            ctx.scoped("configuring the window's surface", || {
                g.surface.configure(&ctx.device, &g.config)
            })?;
            return Ok(false);
        }
        wgpu::CurrentSurfaceTexture::Lost => return Err(Lost),
        wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
            return Ok(false)
        }
        wgpu::CurrentSurfaceTexture::Validation => {
            return Err(Failed(Error::Gpu(
                "the window's surface gave no image (validation error)".into(),
            )))
        }
    };
    let target = image.texture.create_view(&Default::default());
    let width = g.config.width;
    let blit = &g.blit;
    renderer.render_into(
        &mut g.view,
        (g.config.width, g.config.height),
        &mut |encoder, tile, y0, rows| {
            blit.record(&ctx.device, encoder, tile, &target, (width, y0, rows));
        },
    )?;
    ctx.queue.present(image);
    Ok(true)
}

impl ApplicationHandler for App<'_> {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.window.is_none() {
            if let Err(e) = self.open(event_loop) {
                self.fail(event_loop, e);
                return;
            }
            self.next = Instant::now();
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, id: WindowId, event: WindowEvent) {
        // Only this window's events: an earlier window's last notices (its
        // destruction) can arrive during the next one's loop.
        if self.window.as_ref().is_none_or(|w| w.id() != id) {
            return;
        }
        let size = self.size();
        if let Some(input) = self.input(event_loop, event) {
            if !self.driver.input(input, size) {
                event_loop.exit();
            }
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        let now = Instant::now();
        if now >= self.next && !self.due {
            if let Some(w) = &self.window {
                self.due = true;
                w.request_redraw();
            }
            self.next += self.interval;
            if self.next < now {
                // Behind (a slow frame): no catching up in a burst.
                self.next = now + self.interval;
            }
        }
        event_loop.set_control_flow(ControlFlow::WaitUntil(self.next));
    }

    fn exiting(&mut self, _event_loop: &ActiveEventLoop) {
        self.close();
    }
}
