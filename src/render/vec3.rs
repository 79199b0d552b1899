//! Three-vector arithmetic for the cameras, in f32 (matrices for WGSL) and
//! f64 (the orbit camera's fitting).

use std::ops::{Add, Div, Mul, Sub};

pub trait Real:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    fn sqrt(self) -> Self;
}
impl Real for f32 {
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}
impl Real for f64 {
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

pub fn sub<T: Real>(a: [T; 3], b: [T; 3]) -> [T; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
/// `a + b * s`
pub fn add_scaled<T: Real>(a: [T; 3], b: [T; 3], s: T) -> [T; 3] {
    [a[0] + b[0] * s, a[1] + b[1] * s, a[2] + b[2] * s]
}
pub fn dot<T: Real>(a: [T; 3], b: [T; 3]) -> T {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
pub fn cross<T: Real>(a: [T; 3], b: [T; 3]) -> [T; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
pub fn norm<T: Real>(a: [T; 3]) -> T {
    dot(a, a).sqrt()
}
pub fn normalize<T: Real>(a: [T; 3]) -> [T; 3] {
    let n = norm(a);
    [a[0] / n, a[1] / n, a[2] / n]
}
