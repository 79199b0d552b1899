//! A native window on a renderer's scene: winit and a wgpu surface on the
//! shared device. Each frame the owner's [`Driver`] runs first (the Python
//! layer's observers and camera), then the scene is drawn at the window's
//! size ([`Renderer::render_into`]) and copied onto the surface; nothing is
//! read back. Pointer and key input reach the driver as [`Input`].
//!
//! One event loop serves the process (winit cannot make a second): it is
//! made on first use, on the calling thread, and every later window opens
//! on that thread.

mod blit;

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::{ElementState, MouseButton, MouseScrollDelta, WindowEvent};
use winit::event_loop::{ActiveEventLoop, ControlFlow, EventLoop};
use winit::keyboard::{Key, NamedKey};
use winit::platform::run_on_demand::EventLoopExtRunOnDemand;
use winit::window::{Window, WindowId};

use crate::error::{Error, Result};
use crate::render::{Renderer, ViewTarget};
use blit::Blit;
pub use blit::BLIT_WGSL;

/// What a window is opened with.
#[derive(Debug, Clone)]
pub struct WindowOptions {
    pub title: String,
    /// The window's first inner size in pixels (it may be resized).
    pub size: (u32, u32),
    /// Frames a second the window aims at.
    pub fps: f64,
    /// Close after this many frames (None: when the user closes it).
    pub frames: Option<u64>,
}

/// A mouse button held during a drag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Left,
    Right,
    Middle,
}

impl Button {
    pub fn name(self) -> &'static str {
        match self {
            Button::Left => "left",
            Button::Right => "right",
            Button::Middle => "middle",
        }
    }
}

/// Input the window passes on, in window pixels.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The pointer moved by (`dx`, `dy`) (y down) with `button` held.
    Drag {
        dx: f64,
        dy: f64,
        button: Button,
        shift: bool,
    },
    /// The wheel turned: positive away from the user, in notches.
    Wheel { notches: f64 },
    /// A key was pressed: its character (lower case) or a name such as
    /// "escape".
    Key { name: String },
}

/// The window's owner.
pub trait Driver {
    /// Runs before each frame, given the window's size; false closes the
    /// window.
    fn frame(&mut self, size: (u32, u32)) -> bool;
    /// Handles input, given the window's size; false closes the window.
    fn input(&mut self, input: Input, size: (u32, u32)) -> bool;
    /// Runs `f` (the frame's drawing and presenting); the Python layer
    /// releases the interpreter for it.
    fn unlocked(&mut self, f: &mut (dyn FnMut() + Send)) {
        f()
    }
}

thread_local! {
    static EVENT_LOOP: RefCell<Option<EventLoop<()>>> = const { RefCell::new(None) };
}

/// The advice every "no window" error ends with.
const HEADLESS: &str = "render headless instead (Engine(interactive=False) with \
     start(frames=N), Renderer.render()), or run under a display (an X server: set DISPLAY; \
     Xvfb for a virtual one)";

/// Why no window can open here, or None when one can: no display named in
/// the environment, or none reachable. Makes the event loop on success.
pub fn display_problem() -> Option<String> {
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
        return Some(format!(
            "no display: DISPLAY is not set{}; {HEADLESS}",
            if wayland {
                " (windows open through X11: on Wayland, XWayland provides DISPLAY)"
            } else {
                ""
            }
        ));
    }
    with_event_loop(|_| Ok(())).err().map(|e| e.to_string())
}

fn with_event_loop<T>(f: impl FnOnce(&mut EventLoop<()>) -> Result<T>) -> Result<T> {
    EVENT_LOOP.with(|cell| {
        let mut slot = cell.try_borrow_mut().map_err(|_| {
            Error::State("a window is already open (one at a time; close it first)".into())
        })?;
        if slot.is_none() {
            let mut builder = EventLoop::builder();
            #[cfg(all(unix, not(target_os = "macos")))]
            {
                use winit::platform::x11::EventLoopBuilderExtX11;
                builder.with_any_thread(true);
            }
            let made = builder.build().map_err(|e| match e {
                winit::error::EventLoopError::RecreationAttempt => Error::State(
                    "windows open on the thread that opened the first one; call show() / \
                     start() from that thread"
                        .into(),
                ),
                e => Error::State(format!(
                    "could not connect to the display ({e}); {HEADLESS}"
                )),
            })?;
            *slot = Some(made);
        }
        f(slot.as_mut().expect("made above"))
    })
}

/// Opens a window on `renderer`'s scene and runs it until it is closed,
/// the driver says stop or `opts.frames` were shown; returns the frames
/// shown.
pub fn run(renderer: &Renderer, opts: &WindowOptions, driver: &mut dyn Driver) -> Result<u64> {
    if !(opts.fps.is_finite() && opts.fps > 0.0) {
        return Err(Error::InvalidArgument(format!(
            "fps must be a positive number, got {}",
            opts.fps
        )));
    }
    if opts.size.0 == 0 || opts.size.1 == 0 {
        return Err(Error::InvalidArgument(format!(
            "the window's size must be positive, got {}x{}",
            opts.size.0, opts.size.1
        )));
    }
    with_event_loop(|event_loop| {
        let mut app = App {
            renderer,
            opts,
            driver,
            window: None,
            gfx: None,
            error: None,
            shown: 0,
            next: Instant::now(),
            interval: Duration::from_secs_f64(1.0 / opts.fps),
            cursor: None,
            held: None,
            shift: false,
        };
        let ran = event_loop.run_app_on_demand(&mut app);
        app.gfx = None;
        app.window = None;
        if let Some(e) = app.error {
            return Err(e);
        }
        ran.map_err(|e| Error::State(format!("the window's event loop failed: {e}")))?;
        Ok(app.shown)
    })
}

/// The surface and what draws into it.
struct Gfx {
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    blit: Blit,
    view: ViewTarget,
}

struct App<'a> {
    renderer: &'a Renderer,
    opts: &'a WindowOptions,
    driver: &'a mut dyn Driver,
    window: Option<Arc<Window>>,
    gfx: Option<Gfx>,
    error: Option<Error>,
    shown: u64,
    next: Instant,
    interval: Duration,
    cursor: Option<(f64, f64)>,
    held: Option<Button>,
    shift: bool,
}

impl App<'_> {
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
        let ctx = self.renderer.context();
        let surface = surface_for(ctx, &window)?;
        let caps = surface.get_capabilities(&ctx.adapter);
        if caps.formats.is_empty() {
            return Err(Error::Gpu(format!(
                "the GPU adapter {:?} cannot present to this window (no surface formats); \
                 {HEADLESS}",
                ctx.info.name
            )));
        }
        // Plain 8-bit formats first (the tiles are copied as they are).
        let format = [
            wgpu::TextureFormat::Bgra8Unorm,
            wgpu::TextureFormat::Rgba8Unorm,
        ]
        .into_iter()
        .find(|f| caps.formats.contains(f))
        .unwrap_or(caps.formats[0]);
        let alpha_mode = if caps.alpha_modes.contains(&wgpu::CompositeAlphaMode::Opaque) {
            wgpu::CompositeAlphaMode::Opaque
        } else {
            caps.alpha_modes[0]
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
        ctx.scoped("configuring the window's surface", || {
            surface.configure(&ctx.device, &config)
        })?;
        self.gfx = Some(Gfx {
            surface,
            config,
            blit: Blit::new(&ctx.device, format),
            view: ViewTarget::default(),
        });
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

    /// One frame: the driver, then the scene drawn and presented.
    fn frame(&mut self, event_loop: &ActiveEventLoop) {
        let size = self.size();
        if !self.driver.frame(size) {
            event_loop.exit();
            return;
        }
        let (Some(window), Some(g)) = (self.window.as_ref(), self.gfx.as_mut()) else {
            return;
        };
        if window.is_minimized() == Some(true) {
            return;
        }
        let renderer = self.renderer;
        let mut outcome: Result<bool> = Ok(false);
        let mut draw = || {
            outcome = present(renderer, g);
        };
        self.driver.unlocked(&mut draw);
        if outcome.as_ref().err() == Some(&lost()) {
            // A surface can be lost while its window lives: make it again.
            let remade = surface_for(self.renderer.context(), window).and_then(|surface| {
                let ctx = self.renderer.context();
                ctx.scoped("configuring the window's surface", || {
                    surface.configure(&ctx.device, &g.config)
                })?;
                g.surface = surface;
                Ok(false)
            });
            outcome = remade;
        }
        match outcome {
            Ok(true) => {
                self.shown += 1;
                if self.opts.frames.is_some_and(|n| self.shown >= n) {
                    event_loop.exit();
                }
            }
            Ok(false) => {}
            Err(e) => self.fail(event_loop, e),
        }
    }
}

fn lost() -> Error {
    Error::Gpu("the window's surface was lost (its window was destroyed?)".into())
}

/// Draws the scene onto `g`'s surface and presents it; false when the
/// surface had no image to give this time (it is configured again).
fn present(renderer: &Renderer, g: &mut Gfx) -> Result<bool> {
    let ctx = renderer.context();
    let image = match g.surface.get_current_texture() {
        wgpu::CurrentSurfaceTexture::Success(t) | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
        wgpu::CurrentSurfaceTexture::Outdated => {
            ctx.scoped("configuring the window's surface", || {
                g.surface.configure(&ctx.device, &g.config)
            })?;
            return Ok(false);
        }
        wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
            return Ok(false)
        }
        wgpu::CurrentSurfaceTexture::Lost => return Err(lost()),
        wgpu::CurrentSurfaceTexture::Validation => {
            return Err(Error::Gpu(
                "the window's surface gave no image (validation error)".into(),
            ))
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

fn surface_for(
    ctx: &crate::gpu::GpuContext,
    window: &Arc<Window>,
) -> Result<wgpu::Surface<'static>> {
    ctx.instance
        .create_surface(window.clone())
        .map_err(|e| Error::Gpu(format!("could not draw into the window: {e}")))
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

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let size = self.size();
        let input = match event {
            WindowEvent::CloseRequested | WindowEvent::Destroyed => {
                // Destroyed: closed from outside (xdotool windowclose, a
                // window manager's kill); its surface is gone with it.
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
                self.frame(event_loop);
                None
            }
            WindowEvent::ModifiersChanged(m) => {
                self.shift = m.state().shift_key();
                None
            }
            WindowEvent::MouseInput { state, button, .. } => {
                let b = match button {
                    MouseButton::Left => Some(Button::Left),
                    MouseButton::Right => Some(Button::Right),
                    MouseButton::Middle => Some(Button::Middle),
                    _ => None,
                };
                match state {
                    ElementState::Pressed => self.held = b.or(self.held),
                    ElementState::Released if b == self.held => self.held = None,
                    ElementState::Released => {}
                }
                None
            }
            WindowEvent::CursorLeft { .. } => {
                self.cursor = None;
                None
            }
            WindowEvent::CursorMoved { position, .. } => {
                let was = self.cursor.replace((position.x, position.y));
                match (was, self.held) {
                    (Some((x, y)), Some(button)) => Some(Input::Drag {
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
        };
        if let Some(input) = input {
            if !self.driver.input(input, size) {
                event_loop.exit();
            }
        }
    }

    fn about_to_wait(&mut self, event_loop: &ActiveEventLoop) {
        let now = Instant::now();
        if now >= self.next {
            if let Some(w) = &self.window {
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
        // The surface before its window; both before the call returns, so
        // the window closes now.
        self.gfx = None;
        self.window = None;
    }
}
