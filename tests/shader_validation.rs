//! Every WGSL module is parsed and validated by naga (wgpu's shader
//! translator) as the pipelines compose it, without a GPU; and every .wgsl
//! file under src/ is part of some module, so a new shader cannot be left
//! out of this check.

use naga::valid::{Capabilities, ValidationFlags, Validator};

#[test]
fn every_wgsl_module_parses_and_validates() {
    let mut failures = Vec::new();
    let sources = forge3d::render::shader_sources();
    assert_eq!(
        sources.len(),
        18,
        "triangle, pack_rows, fill, 2 depth/xyz planes, the window's blit, 2 terrain, 2 relief, overlay mipmaps, 7 mesh \
         modules (3 draws, the point rasteriser and its resolve, bounds, interleave)"
    );
    for (name, source) in sources {
        let module = match naga::front::wgsl::parse_str(source) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}: {}", e.emit_to_string(source)));
                continue;
            }
        };
        // The capabilities the device is asked for are wgpu's defaults:
        // validate against naga's defaults, which are no more.
        if let Err(e) =
            Validator::new(ValidationFlags::all(), Capabilities::default()).validate(&module)
        {
            failures.push(format!("{name}: {}", e.emit_to_string(source)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_gridding_module_validates_with_the_features_it_asks_for() {
    // Requested where the adapter has them: float64 and 64-bit atomics.
    let caps = Capabilities::FLOAT64
        | Capabilities::SHADER_INT64
        | Capabilities::SHADER_INT64_ATOMIC_ALL_OPS;
    let sources = forge3d::grid::gpu::shader_sources();
    assert_eq!(sources.len(), 6, "one per reduction");
    let mut failures = Vec::new();
    for (name, source) in &sources {
        match naga::front::wgsl::parse_str(source) {
            Ok(module) => {
                if let Err(e) = Validator::new(ValidationFlags::all(), caps).validate(&module) {
                    failures.push(format!("{name}: {}", e.emit_to_string(source)));
                }
                // Without the features the module must not validate: the
                // device asks for them for a reason.
                assert!(
                    Validator::new(ValidationFlags::all(), Capabilities::default())
                        .validate(&module)
                        .is_err(),
                    "{name} validates without float64 and 64-bit atomics"
                );
            }
            Err(e) => failures.push(format!("{name}: {}", e.emit_to_string(source))),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_wgsl_file_is_in_a_validated_module() {
    let mut sources: Vec<(String, String)> = forge3d::render::shader_sources()
        .into_iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    sources.extend(forge3d::grid::gpu::shader_sources());
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "wgsl") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 11, "found only {files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            sources.iter().any(|(_, s)| s.contains(text.trim())),
            "{} is in no module of forge3d::render::shader_sources()",
            f.display()
        );
    }
}
