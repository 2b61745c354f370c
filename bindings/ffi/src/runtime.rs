//! The one tokio runtime of the FFI layer.
//!
//! Swift and Kotlin drive uniffi futures from their own executors, where no tokio reactor runs.
//! Every exported async method therefore hands its body to this runtime with `run` and awaits
//! the result; sync exports that need tokio (the client constructor, `subscribe`) enter or spawn
//! on it too. The runtime is created on first use and lives as long as the process.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

use crate::error::CoCartError;

/// Worker threads of the shared runtime: enough for HTTP I/O, small enough for phones.
pub const WORKER_THREADS: usize = 2;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, started on first use.
pub(crate) fn runtime() -> Result<&'static Runtime, CoCartError> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .thread_name("cocart-ffi")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| CoCartError::Unexpected {
            detail: format!("cannot start the async runtime: {e}"),
        })
}

/// What every spawned task is: one future type and one output type for all the exports. tokio
/// instantiates its task machinery (harness, core, join handle) once per spawned future type;
/// spawning each export's own future type copied it some sixty times, about 200 KB of the
/// mobile library (BENCHMARKS.md, "Library size").
type Erased = Pin<Box<dyn Future<Output = Box<dyn Any + Send>> + Send>>;

/// Aborts the task when the caller's future is dropped.
struct AbortOnDrop(JoinHandle<Box<dyn Any + Send>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `work` on the shared runtime and waits for its result.
///
/// Cancellation: Kotlin drops the Rust future of a cancelled coroutine; the task is then aborted
/// at its next await. Work that must survive that (the token refresh) is a task of its own in
/// the core and is not affected. Swift never drops the future, so the task runs to the end.
pub(crate) async fn run<F, T>(work: F) -> Result<T, CoCartError>
where
    F: Future<Output = Result<T, CoCartError>> + Send + 'static,
    T: Send + 'static,
{
    let erased: Erased = Box::pin(async move { Box::new(work.await) as Box<dyn Any + Send> });
    match run_erased(erased)
        .await?
        .downcast::<Result<T, CoCartError>>()
    {
        Ok(result) => *result,
        // The task above returns exactly this type.
        Err(_) => Err(CoCartError::Unexpected {
            detail: "an SDK task returned another type".into(),
        }),
    }
}

/// The part of [`run`] that does not depend on the export: one copy in the library.
async fn run_erased(work: Erased) -> Result<Box<dyn Any + Send>, CoCartError> {
    let mut task = AbortOnDrop(runtime()?.spawn(work));
    match (&mut task.0).await {
        Ok(output) => Ok(output),
        Err(e) if e.is_panic() => Err(CoCartError::Unexpected {
            detail: "an SDK task panicked".into(),
        }),
        Err(_) => Err(CoCartError::Unexpected {
            detail: "the SDK task was cancelled".into(),
        }),
    }
}

/// The shape of every async export: runs `work` on the shared runtime with its own clone of
/// the core handle `core` (the task must own what it uses, and the handles are cheap `Arc`
/// clones).
pub(crate) async fn call<C, F, Fut, T>(core: &C, work: F) -> Result<T, CoCartError>
where
    C: Clone,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = Result<T, CoCartError>> + Send + 'static,
    T: Send + 'static,
{
    run(work(core.clone())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_works_without_any_ambient_runtime() {
        // A plain thread and a non-tokio executor, as on the Swift/Kotlin side.
        let value = futures::executor::block_on(run(async {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            Ok::<_, CoCartError>(tokio::runtime::Handle::current().metrics().num_workers())
        }));
        assert_eq!(value.ok(), Some(WORKER_THREADS));
    }

    #[test]
    fn call_gives_the_task_its_own_clone_of_the_handle() {
        let handle = std::sync::Arc::new(7_u32);
        let seen = futures::executor::block_on(call(&handle, |h| async move {
            let workers = tokio::runtime::Handle::current().metrics().num_workers();
            Ok::<_, CoCartError>((*h, std::sync::Arc::strong_count(&h), workers))
        }));
        assert_eq!(seen.ok(), Some((7, 2, WORKER_THREADS)));
        assert_eq!(std::sync::Arc::strong_count(&handle), 1);
    }

    #[test]
    fn a_dropped_call_aborts_its_task() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let finished = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&finished);
        let call = run(async move {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            flag.store(true, Ordering::SeqCst);
            Ok::<_, CoCartError>(())
        });
        let mut call = Box::pin(call);
        // Poll once so that the task is spawned, then drop the call.
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(call.as_mut().poll(&mut cx).is_pending());
        drop(call);
        std::thread::sleep(std::time::Duration::from_millis(400));
        assert!(!finished.load(Ordering::SeqCst));
    }

    #[test]
    fn a_panicking_task_becomes_an_unexpected_error() {
        let result: Result<(), CoCartError> =
            futures::executor::block_on(run(async { panic!("boom") }));
        assert!(matches!(result, Err(CoCartError::Unexpected { .. })));
    }
}
