//! forge3d's environment variables (`FORGE3D_*`), read in one way: unset or
//! blank is "not set"; a value that is not UTF-8 is an error naming the
//! variable (not silently "unset"); each reader then parses its own value
//! and names the variable and the accepted values when it cannot.

use crate::error::{Error, Result};

/// The trimmed value of `name`, `None` when unset or blank.
pub fn var(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v.trim().to_string())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(raw)) => Err(Error::InvalidArgument(format!(
            "{name}={raw:?} is not valid UTF-8; set it to one of its documented values or \
             unset it"
        ))),
    }
}

/// One of `choices` (case-insensitive), or `default` when unset.
pub fn choice(name: &str, choices: &[&'static str], default: &'static str) -> Result<&'static str> {
    let Some(v) = var(name)? else {
        return Ok(default);
    };
    let lower = v.to_ascii_lowercase();
    choices
        .iter()
        .copied()
        .find(|c| *c == lower)
        .ok_or_else(|| {
            Error::InvalidArgument(format!(
                "{name}={v:?} is not one of {}; set one of them or unset it",
                choices.join(", ")
            ))
        })
}

/// A whole number in `0..=max`, or `None` when unset.
pub fn whole_number(name: &str, max: u64, unit: &str) -> Result<Option<u64>> {
    let Some(v) = var(name)? else {
        return Ok(None);
    };
    match v.parse::<u64>() {
        Ok(n) if n <= max => Ok(Some(n)),
        _ => Err(Error::InvalidArgument(format!(
            "{name}={v:?} must be a whole number of {unit} between 0 and {max}; set one or unset \
             it"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_named() {
        // Variables of this test only, so parallel tests do not race.
        std::env::set_var("FORGE3D_TEST_ENV_N", "12");
        assert_eq!(
            whole_number("FORGE3D_TEST_ENV_N", 100, "MiB").unwrap(),
            Some(12)
        );
        for bad in ["-1", "1.5", "ten", "101", "17592186044416"] {
            std::env::set_var("FORGE3D_TEST_ENV_N", bad);
            let e = whole_number("FORGE3D_TEST_ENV_N", 100, "MiB").unwrap_err();
            assert!(e.to_string().starts_with("FORGE3D_TEST_ENV_N="), "{e}");
        }
        std::env::set_var("FORGE3D_TEST_ENV_N", "  ");
        assert_eq!(
            whole_number("FORGE3D_TEST_ENV_N", 100, "MiB").unwrap(),
            None
        );
        std::env::set_var("FORGE3D_TEST_ENV_C", "Buffer");
        assert_eq!(
            choice("FORGE3D_TEST_ENV_C", &["auto", "buffer"], "auto").unwrap(),
            "buffer"
        );
        std::env::set_var("FORGE3D_TEST_ENV_C", "bufer");
        assert!(choice("FORGE3D_TEST_ENV_C", &["auto", "buffer"], "auto").is_err());
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            std::env::set_var(
                "FORGE3D_TEST_ENV_C",
                std::ffi::OsStr::from_bytes(b"\xff\xfe"),
            );
            let e = var("FORGE3D_TEST_ENV_C").unwrap_err();
            assert!(e.to_string().contains("not valid UTF-8"), "{e}");
        }
    }
}
