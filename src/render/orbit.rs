//! The orbit camera: an eye on a sphere around a target, z up, whose
//! distance and aim point can be fitted to the scene's box. The default
//! view (`Camera::Auto`) is the default orbit; Python's `OrbitCamera` holds
//! these parameters and resolves them here. Computed in f64, so an explicit
//! eye round-trips exactly.

use super::camera::{look_at, mul, perspective, Bounds, Mat4};
use super::vec3::{add_scaled, cross, dot, normalize, sub};

type V = [f64; 3];

/// Elevations are kept off the vertical, where "up" is undefined.
pub const MAX_ELEVATION_DEG: f64 = 89.0;

/// A perspective camera on a sphere around `target`.
///
/// The eye sits at `target + distance * (sin(az) cos(el), cos(az) cos(el),
/// sin(el))`: azimuth in degrees clockwise from north (+y), elevation in
/// degrees above the horizon (clamped to +-89).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orbit {
    pub azimuth_deg: f64,
    pub elevation_deg: f64,
    /// Eye-target distance; `None`: the smallest at which the scene's box
    /// fits 96 % of the image, divided by `zoom`.
    pub distance: Option<f64>,
    /// The point looked at; `None`: the box's centre, moved across the view
    /// until the box's projection is centred in the image.
    pub target: Option<V>,
    pub fovy_deg: f64,
    /// Divides a fitted distance (> 1 moves closer); unused with `distance`.
    pub zoom: f64,
}

impl Default for Orbit {
    /// From the south-southwest, 35 degrees up, fitted and centred.
    fn default() -> Self {
        Orbit {
            azimuth_deg: 200.0,
            elevation_deg: 35.0,
            distance: None,
            target: None,
            fovy_deg: 45.0,
            zoom: 1.0,
        }
    }
}

/// Where an orbit puts the eye, and what it looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrbitView {
    pub eye: V,
    pub target: V,
}

impl Orbit {
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("azimuth_deg", self.azimuth_deg),
            ("elevation_deg", self.elevation_deg),
        ] {
            if !v.is_finite() {
                return Err(format!("{name} must be a finite number, got {v}"));
            }
        }
        if !(self.fovy_deg.is_finite() && self.fovy_deg > 0.0 && self.fovy_deg < 180.0) {
            return Err(format!(
                "fovy_deg must be in (0, 180), got {}",
                self.fovy_deg
            ));
        }
        if let Some(d) = self.distance {
            if !(d.is_finite() && d > 0.0 && (d as f32).is_finite() && d as f32 > 0.0) {
                return Err(format!(
                    "distance must be a positive number that fits float32, got {d}"
                ));
            }
        }
        if !(self.zoom.is_finite() && self.zoom > 0.0) {
            return Err(format!("zoom must be a positive number, got {}", self.zoom));
        }
        if let Some(t) = self.target {
            if t.iter()
                .any(|v| !(v.is_finite() && (*v as f32).is_finite()))
            {
                return Err(format!(
                    "target must be three finite numbers that fit float32, got {t:?}"
                ));
            }
        }
        Ok(())
    }

    /// Unit vector from the target towards the eye.
    pub fn direction(&self) -> V {
        let el = self
            .elevation_deg
            .clamp(-MAX_ELEVATION_DEG, MAX_ELEVATION_DEG)
            .to_radians();
        let az = self.azimuth_deg.to_radians();
        [az.sin() * el.cos(), az.cos() * el.cos(), el.sin()]
    }

    /// Eye and target for `bounds` seen in an image of `aspect` = width / height.
    pub fn resolve(&self, bounds: &Bounds, aspect: f64) -> OrbitView {
        let lo = bounds.min.map(f64::from);
        let hi = bounds.max.map(f64::from);
        let corners: [V; 8] = std::array::from_fn(|i| {
            std::array::from_fn(|k| if (i >> k) & 1 == 0 { lo[k] } else { hi[k] })
        });
        let dir = self.direction();
        let f = dir.map(|v| -v);
        let side = normalize(cross(f, [0.0, 0.0, 1.0]));
        let up = cross(side, f);
        let tan_y = (self.fovy_deg.to_radians() / 2.0).tan();
        let tan_x = tan_y * aspect;
        let distance_at = |t: V| match self.distance {
            Some(d) => d,
            None => fit_distance(&corners, t, dir, (f, side, up), (tan_x, tan_y)) / self.zoom,
        };
        let target = match self.target {
            Some(t) => t,
            None => {
                // Perspective leaves the box off-centre (its near side
                // looms larger): the aim point moves, with the eye, across
                // the view until the box's projection is centred.
                let mut t: V = std::array::from_fn(|k| (lo[k] + hi[k]) / 2.0);
                for _ in 0..3 {
                    let d = distance_at(t);
                    let eye = add_scaled(t, dir, d);
                    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
                    let mut behind = false;
                    for p in &corners {
                        let v = sub(*p, eye);
                        let z = dot(v, f);
                        if z <= 0.0 {
                            behind = true;
                            break;
                        }
                        let (x, y) = (dot(v, side) / (z * tan_x), dot(v, up) / (z * tan_y));
                        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
                    }
                    if behind {
                        break; // the eye is inside the box: nothing to centre
                    }
                    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
                    t = add_scaled(add_scaled(t, side, cx * tan_x * d), up, cy * tan_y * d);
                }
                t
            }
        };
        OrbitView {
            eye: add_scaled(target, dir, distance_at(target)),
            target,
        }
    }

    /// View-projection matrix, with depth planes around the box.
    pub fn view_proj(&self, bounds: &Bounds, aspect: f32) -> Mat4 {
        let v = self.resolve(bounds, aspect as f64);
        let d = dot(sub(v.eye, v.target), sub(v.eye, v.target)).sqrt();
        let lo = bounds.min.map(f64::from);
        let hi = bounds.max.map(f64::from);
        // The farthest box corner from the target bounds the depth range.
        let r = (0..8)
            .map(|i| {
                let p: V = std::array::from_fn(|k| if (i >> k) & 1 == 0 { lo[k] } else { hi[k] });
                let w = sub(p, v.target);
                dot(w, w).sqrt()
            })
            .fold(1e-6f64, f64::max);
        let near = (d - r).max(d * 1e-3) as f32;
        let far = ((d + r) as f32).max(near * 1.001);
        let eye = v.eye.map(|x| x as f32);
        let target = v.target.map(|x| x as f32);
        mul(
            &perspective((self.fovy_deg as f32).to_radians(), aspect, near, far),
            &look_at(eye, target, [0.0, 0.0, 1.0]),
        )
    }
}

/// The smallest distance (to ~1e-7 relative, 24 halvings) at which all
/// corners project inside 96 % of the image.
fn fit_distance(corners: &[V; 8], t: V, dir: V, basis: (V, V, V), tan: (f64, f64)) -> f64 {
    let (f, side, up) = basis;
    let (tan_x, tan_y) = tan;
    let rel: [V; 8] = std::array::from_fn(|i| sub(corners[i], t));
    let radius = rel
        .iter()
        .map(|v| dot(*v, *v).sqrt())
        .fold(1e-6f64, f64::max);
    let fits = |d: f64| {
        rel.iter().all(|p| {
            let v = add_scaled(*p, dir, -d);
            let z = dot(v, f);
            z > 0.0
                && dot(v, side).abs() <= 0.96 * tan_x * z
                && dot(v, up).abs() <= 0.96 * tan_y * z
        })
    };
    let (mut lo, mut hi) = (radius * 0.05, radius / tan_x.min(tan_y).atan().sin() * 1.05);
    for _ in 0..24 {
        let mid = 0.5 * (lo + hi);
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_eye_round_trips() {
        let o = Orbit {
            azimuth_deg: 3f64.atan2(4.0).to_degrees(),
            elevation_deg: 0.0,
            distance: Some(5.0),
            target: Some([0.0; 3]),
            ..Orbit::default()
        };
        let b = Bounds {
            min: [-1.0; 3],
            max: [1.0; 3],
        };
        let v = o.resolve(&b, 4.0 / 3.0);
        for (a, e) in v.eye.iter().zip([3.0, 4.0, 0.0]) {
            assert!((a - e).abs() < 1e-12, "{v:?}");
        }
    }

    #[test]
    fn zoom_divides_the_fitted_distance() {
        let b = Bounds {
            min: [0.0, 0.0, 0.0],
            max: [10.0, 6.0, 2.0],
        };
        let t = Some([5.0, 3.0, 1.0]);
        let fitted = Orbit {
            target: t,
            ..Orbit::default()
        }
        .resolve(&b, 1.5);
        let zoomed = Orbit {
            target: t,
            zoom: 2.0,
            ..Orbit::default()
        }
        .resolve(&b, 1.5);
        let dist = |v: OrbitView| dot(sub(v.eye, v.target), sub(v.eye, v.target)).sqrt();
        assert!((dist(fitted) / dist(zoomed) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn bad_values_are_named() {
        let bad = Orbit {
            fovy_deg: 180.0,
            ..Orbit::default()
        };
        assert!(bad.validate().unwrap_err().contains("fovy_deg"));
        let bad = Orbit {
            distance: Some(0.0),
            ..Orbit::default()
        };
        assert!(bad.validate().unwrap_err().contains("distance"));
        let bad = Orbit {
            zoom: f64::NAN,
            ..Orbit::default()
        };
        assert!(bad.validate().unwrap_err().contains("zoom"));
    }
}
