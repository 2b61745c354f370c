//! A progress line for slow calls: when a call takes longer than [`SLOW_AFTER`] and stderr is a
//! terminal, `… contacting store` appears on stderr and is erased when the call ends.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// How long a call may take before the progress line appears.
pub const SLOW_AFTER: Duration = Duration::from_millis(300);

/// Shows the progress line on a writer (stderr in the CLI), or does nothing when disabled.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
    after: Duration,
}

impl Progress {
    /// Enabled only when stderr is a terminal and `--json` is off.
    pub fn for_stderr(json: bool) -> Self {
        Self {
            enabled: !json && std::io::stderr().is_terminal(),
            after: SLOW_AFTER,
        }
    }

    /// A progress line that is on or off whatever the terminal, appearing after `after`.
    pub fn new(enabled: bool, after: Duration) -> Self {
        Self { enabled, after }
    }

    /// Erases a progress line a call left behind when it was stopped half-way (Ctrl-C).
    pub fn erase(&self) {
        if self.enabled {
            let mut err = std::io::stderr();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }

    /// Runs `fut`; prints the progress line to stderr if it is slow.
    pub async fn run<F: Future>(&self, fut: F) -> F::Output {
        self.run_with(fut, &mut std::io::stderr()).await
    }

    /// Runs `fut`; prints the progress line to `out` if it is slow, and erases it afterwards.
    pub async fn run_with<F: Future, W: Write>(&self, fut: F, out: &mut W) -> F::Output {
        if !self.enabled {
            return fut.await;
        }
        tokio::pin!(fut);
        tokio::select! {
            done = &mut fut => return done,
            () = tokio::time::sleep(self.after) => {}
        }
        let _ = write!(out, "… contacting store");
        let _ = out.flush();
        let done = fut.await;
        let _ = write!(out, "\r\x1b[2K");
        let _ = out.flush();
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slow_call_shows_the_line_and_erases_it() {
        let mut out = Vec::new();
        let p = Progress::new(true, Duration::from_millis(10));
        let v = p
            .run_with(
                async {
                    tokio::time::sleep(Duration::from_millis(60)).await;
                    7
                },
                &mut out,
            )
            .await;
        assert_eq!(v, 7);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("… contacting store"));
        assert!(text.ends_with("\r\x1b[2K"));
    }

    #[tokio::test]
    async fn a_fast_call_or_a_disabled_line_prints_nothing() {
        let mut out = Vec::new();
        let fast = Progress::new(true, Duration::from_millis(500));
        assert_eq!(fast.run_with(async { 1 }, &mut out).await, 1);
        let off = Progress::new(false, Duration::ZERO);
        let slow = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            2
        };
        assert_eq!(off.run_with(slow, &mut out).await, 2);
        assert!(out.is_empty());
    }
}
