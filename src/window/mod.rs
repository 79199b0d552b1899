//! A native window on a renderer's scene: winit and a wgpu surface on the
//! shared device. Each frame the owner's [`Driver`] runs first (the Python
//! layer's observers and camera), then the scene is drawn at the window's
//! size ([`Renderer::render_into`]) and copied onto the surface; nothing is
//! read back. Pointer and key input reach the driver as [`Input`].
//!
//! One event loop serves the process (winit cannot make a second): it is
//! made on first use, on the calling thread, and every later window opens
//! on that thread.

mod app;
mod blit;

use std::cell::RefCell;
use std::thread::ThreadId;

use parking_lot::Mutex;
use winit::event_loop::EventLoop;
use winit::platform::run_on_demand::EventLoopExtRunOnDemand;

use crate::error::{Error, Result};
use crate::render::Renderer;
use app::App;
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

/// The window's owner. [`run`] waits for events and draws without the
/// owner's locks; the owner takes what it needs in these calls.
pub trait Driver {
    /// Runs before each frame, given the window's size; false closes the
    /// window.
    fn frame(&mut self, size: (u32, u32)) -> bool;
    /// Handles input, given the window's size; false closes the window.
    fn input(&mut self, input: Input, size: (u32, u32)) -> bool;
}

thread_local! {
    static EVENT_LOOP: RefCell<Option<EventLoop<()>>> = const { RefCell::new(None) };
}

/// What became of the process's one event loop: made on a thread, or
/// failed (winit counts a failed attempt as made, so the failure is kept
/// and repeated).
static MADE: Mutex<Option<std::result::Result<ThreadId, String>>> = Mutex::new(None);

/// The advice every "no window" error ends with.
const HEADLESS: &str = "render headless instead (Engine(interactive=False) with \
     start(frames=N), Renderer.render()), or run under a display (an X server: set DISPLAY; \
     Xvfb for a virtual one)";

/// Why no window can open here (no display named in the environment, or
/// none reachable), or None when one can. Connects to the display (makes
/// the event loop) on first success.
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
    match with_event_loop(|_| Ok(())) {
        Err(Error::Io(display)) => Some(display),
        // Another thread's loop, or a window already open: not the display.
        _ => None,
    }
}

/// Runs `f` on this thread's event loop, made on first use. A display that
/// cannot be reached is `Error::Io`; a loop on another thread or a window
/// already open, `Error::State`.
fn with_event_loop<T>(f: impl FnOnce(&mut EventLoop<()>) -> Result<T>) -> Result<T> {
    EVENT_LOOP.with(|cell| {
        let mut slot = cell.try_borrow_mut().map_err(|_| {
            Error::State("a window is already open (one at a time; close it first)".into())
        })?;
        if slot.is_none() {
            let mut made = MADE.lock();
            match made.as_ref() {
                Some(Err(display)) => return Err(Error::Io(display.clone())),
                Some(Ok(_)) => {
                    return Err(Error::State(
                        "windows open on the thread that opened the first one; call show() / \
                         start() from that thread"
                            .into(),
                    ))
                }
                None => {}
            }
            let mut builder = EventLoop::builder();
            #[cfg(all(unix, not(target_os = "macos")))]
            {
                use winit::platform::x11::EventLoopBuilderExtX11;
                builder.with_any_thread(true);
            }
            // winit panics where a library it loads at run time is missing
            // (libxkbcommon-x11): caught here, never across the FFI edge.
            let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build()));
            match built {
                Ok(Ok(event_loop)) => {
                    *made = Some(Ok(std::thread::current().id()));
                    *slot = Some(event_loop);
                }
                Ok(Err(e)) => {
                    let display = format!("could not connect to the display ({e}); {HEADLESS}");
                    *made = Some(Err(display.clone()));
                    return Err(Error::Io(display));
                }
                Err(panic) => {
                    let display = format!(
                        "could not start the window system ({}); on Debian/Ubuntu `apt-get \
                         install libx11-6 libx11-xcb1 libxkbcommon-x11-0 libxcursor1 libxrandr2 \
                         libxi6` provides what it loads; {HEADLESS}",
                        panic_message(&panic)
                    );
                    *made = Some(Err(display.clone()));
                    return Err(Error::Io(display));
                }
            }
        }
        let event_loop = slot.as_mut().expect("made above");
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(event_loop))) {
            Ok(out) => out,
            Err(panic) => {
                // The loop's state is unknown after a panic: no more windows
                // in this process.
                *slot = None;
                let message = format!(
                    "the window system failed ({}); no more windows open in this process",
                    panic_message(&panic)
                );
                *MADE.lock() = Some(Err(message.clone()));
                Err(Error::State(message))
            }
        }
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
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
    let shown = with_event_loop(|event_loop| {
        let mut app = App::new(renderer, opts, driver);
        let ran = event_loop.run_app_on_demand(&mut app);
        app.close();
        if let Some(e) = app.error {
            return Err(e);
        }
        ran.map_err(|e| Error::State(format!("the window's event loop failed: {e}")))?;
        Ok(app.shown)
    });
    shown.map_err(|e| match e {
        Error::Io(display) => Error::State(display),
        e => e,
    })
}
