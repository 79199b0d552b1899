//! Filling empty cells from their nearest filled neighbour.

use std::collections::VecDeque;

/// Breadth-first from every filled cell (8-neighbourhood): each empty cell
/// takes the value of a filled cell the fewest grid steps away.
pub fn nearest(values: &mut [f32], filled: &[bool], rows: usize, cols: usize) {
    let mut done = filled.to_vec();
    let mut queue: VecDeque<usize> = (0..values.len()).filter(|&k| done[k]).collect();
    while let Some(k) = queue.pop_front() {
        let (r, c) = ((k / cols) as isize, (k % cols) as isize);
        for (dr, dc) in [
            (-1, -1),
            (-1, 0),
            (-1, 1),
            (0, -1),
            (0, 1),
            (1, -1),
            (1, 0),
            (1, 1),
        ] {
            let (nr, nc) = (r + dr, c + dc);
            if nr < 0 || nc < 0 || nr >= rows as isize || nc >= cols as isize {
                continue;
            }
            let n = nr as usize * cols + nc as usize;
            if !done[n] {
                done[n] = true;
                values[n] = values[k];
                queue.push_back(n);
            }
        }
    }
}
