//! What the integration-test harnesses (`corpus`, `differential`, `bench_programs`) share:
//! listing programs, running the cellar binary with a timeout, and masking addresses.

#![allow(dead_code)] // each harness uses its own subset

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Names (without `.py`) of the `*.py` files in `dir`, sorted; `None` if `dir` cannot be read.
pub fn program_names(dir: &Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".py").map(str::to_owned)
        })
        .collect();
    names.sort();
    Some(names)
}

/// [`program_names`] of a directory that must exist.
pub fn program_names_of(dir: &Path) -> Vec<String> {
    program_names(dir).unwrap_or_else(|| panic!("cannot read {}", dir.display()))
}

/// The per-run timeout: `CELLAR_TEST_TIMEOUT` seconds, else `default_secs`.
pub fn timeout(default_secs: u64) -> Duration {
    let secs = std::env::var("CELLAR_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(default_secs);
    Duration::from_secs(secs)
}

/// How a run ended: its exit status (`None`: it outlived the timeout and was killed) and
/// its whole stdout and stderr.
pub struct Finished {
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
}

/// Run `cmd` (stdin empty, stdout and stderr captured) for at most `limit`. Both pipes are
/// drained on their own threads, so a chatty program cannot block on a full pipe.
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Result<Finished, String> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", cmd.get_program().to_string_lossy()))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout piped")));
    let err = drain(Box::new(child.stderr.take().expect("stderr piped")));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for cellar: {e}")),
        }
    };
    Ok(Finished {
        status,
        stdout: String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
    })
}

/// Replace every `0x[0-9a-f]+` with `0x?` (as `re.sub(r"0x[0-9a-f]+", "0x?", s)`): function
/// reprs show addresses.
pub fn normalize(s: &str) -> String {
    let bytes = s.as_bytes();
    let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if i + 2 < bytes.len() && bytes[i] == b'0' && bytes[i + 1] == b'x' && is_hex(bytes[i + 2]) {
            out.push_str(&s[copied..i]);
            out.push_str("0x?");
            i += 2;
            while i < bytes.len() && is_hex(bytes[i]) {
                i += 1;
            }
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[copied..]);
    out
}
