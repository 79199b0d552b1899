//! Cameras: look-at perspective and orthographic projections, as column-major
//! 4x4 matrices for WGSL (`mat4x4<f32>`), with wgpu's [0, 1] depth range.

use super::orbit::Orbit;
use super::vec3::{cross, dot, norm, normalize, sub};

pub type Vec3 = [f32; 3];
/// Column-major: `m[col][row]`.
pub type Mat4 = [[f32; 4]; 4];

pub fn mul(a: &Mat4, b: &Mat4) -> Mat4 {
    let mut out = [[0.0; 4]; 4];
    for (c, col) in out.iter_mut().enumerate() {
        for (r, v) in col.iter_mut().enumerate() {
            *v = (0..4).map(|k| a[k][r] * b[c][k]).sum();
        }
    }
    out
}

/// View matrix looking from `eye` at `target` (right-handed).
pub fn look_at(eye: Vec3, target: Vec3, up: Vec3) -> Mat4 {
    let f = normalize(sub(target, eye));
    let s = normalize(cross(f, up));
    let u = cross(s, f);
    [
        [s[0], u[0], -f[0], 0.0],
        [s[1], u[1], -f[1], 0.0],
        [s[2], u[2], -f[2], 0.0],
        [-dot(s, eye), -dot(u, eye), dot(f, eye), 1.0],
    ]
}

/// Perspective projection, depth 0 at `znear` and 1 at `zfar`.
pub fn perspective(fovy_rad: f32, aspect: f32, znear: f32, zfar: f32) -> Mat4 {
    let f = 1.0 / (fovy_rad / 2.0).tan();
    let r = zfar / (znear - zfar);
    [
        [f / aspect, 0.0, 0.0, 0.0],
        [0.0, f, 0.0, 0.0],
        [0.0, 0.0, r, -1.0],
        [0.0, 0.0, r * znear, 0.0],
    ]
}

/// Orthographic projection of the view-space box, depth 0 at `znear`.
pub fn orthographic(left: f32, right: f32, bottom: f32, top: f32, znear: f32, zfar: f32) -> Mat4 {
    let rl = right - left;
    let tb = top - bottom;
    let fn_ = zfar - znear;
    [
        [2.0 / rl, 0.0, 0.0, 0.0],
        [0.0, 2.0 / tb, 0.0, 0.0],
        [0.0, 0.0, -1.0 / fn_, 0.0],
        [
            -(right + left) / rl,
            -(top + bottom) / tb,
            -znear / fn_,
            1.0,
        ],
    ]
}

#[cfg(test)]
fn corners(b: &Bounds) -> [Vec3; 8] {
    let mut out = [[0.0; 3]; 8];
    for (i, p) in out.iter_mut().enumerate() {
        *p = [
            if i & 1 == 0 { b.min[0] } else { b.max[0] },
            if i & 2 == 0 { b.min[1] } else { b.max[1] },
            if i & 4 == 0 { b.min[2] } else { b.max[2] },
        ];
    }
    out
}

/// `m * (p, 1)` as NDC x, y, z and clip w.
#[cfg(test)]
fn project(m: &Mat4, p: Vec3) -> [f32; 4] {
    let v = [p[0], p[1], p[2], 1.0];
    let mut o = [0.0; 4];
    for (r, out) in o.iter_mut().enumerate() {
        *out = (0..4).map(|c| m[c][r] * v[c]).sum();
    }
    [o[0] / o[3], o[1] / o[3], o[2] / o[3], o[3]]
}

/// How the scene is seen.
#[derive(Debug, Clone, PartialEq)]
pub enum Camera {
    /// Frame the whole scene from an oblique angle (the default): the
    /// default [`Orbit`].
    Auto,
    /// An eye on a sphere around a target, fitted to the scene as asked.
    Orbit(Orbit),
    Perspective {
        eye: Vec3,
        target: Vec3,
        up: Vec3,
        fovy_deg: f32,
        znear: Option<f32>,
        zfar: Option<f32>,
    },
    /// Orthographic, looking straight down -z with +y up, fitting the
    /// scene's x/y extent into the image (aspect preserved).
    TopDown,
    /// Orthographic, looking straight down -z with +y up, the world box
    /// `left..right` (x) by `bottom..top` (y) mapped exactly onto the image
    /// (its left, right, bottom and top edges); depth from the scene.
    TopDownExtent {
        left: f64,
        right: f64,
        bottom: f64,
        top: f64,
    },
}

/// An axis-aligned box in world units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min: Vec3,
    pub max: Vec3,
}

impl Bounds {
    pub fn center(&self) -> Vec3 {
        [
            (self.min[0] + self.max[0]) / 2.0,
            (self.min[1] + self.max[1]) / 2.0,
            (self.min[2] + self.max[2]) / 2.0,
        ]
    }
    pub fn radius(&self) -> f32 {
        norm(sub(self.max, self.min)) / 2.0
    }
}

impl Camera {
    /// View-projection matrix for an image of `aspect` = width / height.
    pub fn view_proj(&self, bounds: &Bounds, aspect: f32) -> Mat4 {
        let c = bounds.center();
        let r = bounds.radius().max(1e-6);
        match self {
            Camera::Auto => Orbit::default().view_proj(bounds, aspect),
            Camera::Orbit(orbit) => orbit.view_proj(bounds, aspect),
            Camera::Perspective {
                eye,
                target,
                up,
                fovy_deg,
                znear,
                zfar,
            } => {
                let d = norm(sub(c, *eye));
                let near = znear.unwrap_or(((d - r) * 0.9).max(d * 1e-3).max(1e-4));
                let far = zfar.unwrap_or((d + r) * 1.1);
                // A znear or zfar given alone, past the automatic other one,
                // still gets a valid projection (which may clip everything).
                let (near, far) = if near < far {
                    (near, far)
                } else if zfar.is_none() {
                    (near, near * 1e3)
                } else {
                    (far * 1e-3, far)
                };
                let view = look_at(*eye, *target, *up);
                mul(
                    &perspective(fovy_deg.to_radians(), aspect, near, far),
                    &view,
                )
            }
            Camera::TopDown => {
                let (w, h) = (bounds.max[0] - bounds.min[0], bounds.max[1] - bounds.min[1]);
                let (mut hw, mut hh) = (w / 2.0, h / 2.0);
                if hw / hh.max(1e-12) < aspect {
                    hw = hh * aspect;
                } else {
                    hh = hw / aspect;
                }
                let top = bounds.max[2] + r + 1.0;
                let eye = [c[0], c[1], top];
                let view = look_at(eye, [c[0], c[1], bounds.min[2]], [0.0, 1.0, 0.0]);
                let depth = top - bounds.min[2] + 1.0;
                mul(&orthographic(-hw, hw, -hh, hh, 0.0, depth), &view)
            }
            Camera::TopDownExtent {
                left,
                right,
                bottom,
                top,
            } => {
                // The eye over the box's centre (the centre and half sizes
                // taken in f64 before the f32 matrices).
                let (cx, cy) = ((left + right) / 2.0, (bottom + top) / 2.0);
                let (hw, hh) = (((right - left) / 2.0) as f32, ((top - bottom) / 2.0) as f32);
                let z_top = bounds.max[2] + r + 1.0;
                let eye = [cx as f32, cy as f32, z_top];
                let view = look_at(eye, [cx as f32, cy as f32, bounds.min[2]], [0.0, 1.0, 0.0]);
                let depth = z_top - bounds.min[2] + 1.0;
                mul(&orthographic(-hw, hw, -hh, hh, 0.0, depth), &view)
            }
        }
    }

    /// The same camera with `up` scaled to unit length (in f64), so the
    /// f32 view matrix stays exact for any valid length of `up`.
    pub fn with_unit_up(mut self) -> Self {
        if let Camera::Perspective { up, .. } = &mut self {
            let l = up.iter().map(|&x| x as f64 * x as f64).sum::<f64>().sqrt();
            if l > 0.0 && l.is_finite() {
                *up = up.map(|x| (x as f64 / l) as f32);
            }
        }
        self
    }

    /// Checks user-supplied values.
    pub fn validate(&self) -> Result<(), String> {
        if let Camera::Orbit(orbit) = self {
            return orbit.validate();
        }
        if let Camera::TopDownExtent {
            left,
            right,
            bottom,
            top,
        } = *self
        {
            if ![left, right, bottom, top].iter().all(|v| v.is_finite()) {
                return Err(format!(
                    "extent must be 4 finite numbers (left, right, bottom, top), got \
                     ({left}, {right}, {bottom}, {top})"
                ));
            }
            if !(right > left && top > bottom) {
                return Err(format!(
                    "extent must have right > left and top > bottom, got ({left}, {right}, \
                     {bottom}, {top})"
                ));
            }
            let (w, h) = ((right - left) as f32, (top - bottom) as f32);
            if !(w.is_normal() && h.is_normal() && w.is_finite() && h.is_finite()) {
                return Err(format!(
                    "extent ({left}, {right}, {bottom}, {top}) is too small or too large to \
                     draw in float32; give a box of a sensible size in world units"
                ));
            }
        }
        if let Camera::Perspective {
            eye,
            target,
            up,
            fovy_deg,
            znear,
            zfar,
        } = self
        {
            if eye.iter().chain(target).chain(up).any(|v| !v.is_finite()) {
                return Err("eye, target and up must be finite".into());
            }
            // In f64 and relative to the lengths: f32 squares of tiny
            // vectors (an up of 1e-30) underflow to zero.
            let d: [f64; 3] = std::array::from_fn(|k| target[k] as f64 - eye[k] as f64);
            let u: [f64; 3] = std::array::from_fn(|k| up[k] as f64);
            let len = |v: &[f64; 3]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
            let (ld, lu) = (len(&d), len(&u));
            if ld == 0.0 {
                return Err("eye and target must differ".into());
            }
            if lu == 0.0 {
                return Err(format!(
                    "up must be a non-zero direction, got {up:?}; e.g. up=(0, 0, 1) for z-up"
                ));
            }
            let c = [
                d[1] * u[2] - d[2] * u[1],
                d[2] * u[0] - d[0] * u[2],
                d[0] * u[1] - d[1] * u[0],
            ];
            if len(&c) < 1e-6 * ld * lu {
                return Err(format!(
                    "up {up:?} must not be parallel to the view direction (target - eye = \
                     {:?}); choose an up at an angle to it",
                    d.map(|x| x as f32)
                ));
            }
            if !(fovy_deg.is_finite() && *fovy_deg > 0.0 && *fovy_deg < 180.0) {
                return Err(format!("fovy_deg must be in (0, 180), got {fovy_deg}"));
            }
            if let Some(n) = znear {
                if !(n.is_finite() && *n > 0.0) {
                    return Err(format!("znear must be a positive number, got {n}"));
                }
            }
            if let Some(f) = zfar {
                if !(f.is_finite() && *f > 0.0) {
                    return Err(format!("zfar must be a positive number, got {f}"));
                }
            }
            if let (Some(n), Some(f)) = (znear, zfar) {
                if !(f.is_finite() && f > n) {
                    return Err(format!("zfar must be greater than znear ({n}), got {f}"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(m: &Mat4, p: Vec3) -> [f32; 4] {
        project(m, p)
    }

    #[test]
    fn top_down_maps_the_extent_corners_to_the_image_corners() {
        let b = Bounds {
            min: [0.0, 0.0, -5.0],
            max: [20.0, 10.0, 5.0],
        };
        let m = Camera::TopDown.view_proj(&b, 2.0);
        let tl = apply(&m, [0.0, 10.0, 0.0]);
        let br = apply(&m, [20.0, 0.0, 0.0]);
        assert!(
            (tl[0] + 1.0).abs() < 1e-5 && (tl[1] - 1.0).abs() < 1e-5,
            "{tl:?}"
        );
        assert!(
            (br[0] - 1.0).abs() < 1e-5 && (br[1] + 1.0).abs() < 1e-5,
            "{br:?}"
        );
        assert!(tl[2] > 0.0 && tl[2] < 1.0);
    }

    #[test]
    fn top_down_extent_maps_the_box_onto_the_image() {
        let b = Bounds {
            min: [0.0, 0.0, -5.0],
            max: [20.0, 10.0, 5.0],
        };
        let cam = Camera::TopDownExtent {
            left: 4.0,
            right: 12.0,
            bottom: 2.0,
            top: 6.0,
        };
        assert!(cam.validate().is_ok());
        let m = cam.view_proj(&b, 1.0);
        let tl = apply(&m, [4.0, 6.0, 3.0]);
        let br = apply(&m, [12.0, 2.0, -3.0]);
        let mid = apply(&m, [8.0, 4.0, 0.0]);
        for (q, want) in [(tl, [-1.0, 1.0]), (br, [1.0, -1.0]), (mid, [0.0, 0.0])] {
            assert!(
                (q[0] - want[0]).abs() < 1e-5 && (q[1] - want[1]).abs() < 1e-5,
                "{q:?} != {want:?}"
            );
            assert!(q[2] > 0.0 && q[2] < 1.0, "{q:?}");
        }
        for bad in [
            [1.0, 1.0, 0.0, 1.0],
            [0.0, 1.0, 2.0, 1.0],
            [f64::NAN, 1.0, 0.0, 1.0],
            [0.0, 1e300, 0.0, 1.0],
        ] {
            let c = Camera::TopDownExtent {
                left: bad[0],
                right: bad[1],
                bottom: bad[2],
                top: bad[3],
            };
            assert!(c.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn auto_camera_keeps_the_whole_box_in_view() {
        let b = Bounds {
            min: [0.0, 0.0, 0.0],
            max: [100.0, 60.0, 20.0],
        };
        for aspect in [0.5, 1.0, 1.78] {
            let m = Camera::Auto.view_proj(&b, aspect);
            let mut widest = 0.0f32;
            let (mut lo, mut hi) = ([f32::MAX; 2], [f32::MIN; 2]);
            for p in corners(&b) {
                let q = apply(&m, p);
                widest = widest.max(q[0].abs()).max(q[1].abs());
                for k in 0..2 {
                    (lo[k], hi[k]) = (lo[k].min(q[k]), hi[k].max(q[k]));
                }
                assert!(
                    q[0].abs() <= 1.0 && q[1].abs() <= 1.0,
                    "aspect {aspect}: {p:?} -> {q:?}"
                );
                assert!(q[2] > 0.0 && q[2] < 1.0, "depth {q:?}");
            }
            // Framed tightly and centred: some corner reaches 96 % of the
            // way to an edge, and the margins on each axis are (nearly)
            // equal.
            assert!(widest > 0.93, "aspect {aspect}: loose framing {widest}");
            for k in 0..2 {
                assert!(
                    (lo[k] + hi[k]).abs() < 0.02,
                    "aspect {aspect}: off-centre {lo:?} {hi:?}"
                );
            }
        }
    }

    #[test]
    fn bad_perspective_values_are_named() {
        let cam = Camera::Perspective {
            eye: [0.0, 0.0, 10.0],
            target: [0.0, 0.0, 0.0],
            up: [0.0, 0.0, 1.0],
            fovy_deg: 45.0,
            znear: None,
            zfar: None,
        };
        assert!(cam.validate().unwrap_err().contains("parallel"));
    }
}
