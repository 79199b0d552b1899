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
        14,
        "triangle, pack_rows, 2 depth/xyz planes, 2 terrain, 2 relief, overlay mipmaps, 5 mesh modules"
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
fn every_wgsl_file_is_in_a_validated_module() {
    let sources = forge3d::render::shader_sources();
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
