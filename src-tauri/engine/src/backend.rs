//! The burn backends the engine runs on. Model code is generic; these aliases name the
//! concrete choices in one place.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{EngineError, Result};
use crate::message::Message;
use crate::said;

/// CPU backend for machines without a usable GPU (and for CI): burn-flex, gemm matmul.
pub type CpuBackend = burn::backend::Flex;
pub type CpuDevice = burn::backend::flex::FlexDevice;

/// Any GPU through wgpu (Vulkan, Metal, DX12); also Mesa's software Vulkan in CI.
#[cfg(feature = "wgpu")]
pub type WgpuBackend = burn::backend::Wgpu<f32, i32>;
#[cfg(feature = "wgpu")]
pub type WgpuDevice = burn::backend::wgpu::WgpuDevice;

/// NVIDIA GPUs through CUDA (kernels compiled at run time with NVRTC).
#[cfg(feature = "cuda")]
pub type CudaBackend = burn::backend::Cuda<f32, i32>;
#[cfg(feature = "cuda")]
pub type CudaDevice = burn::backend::cuda::CudaDevice;

/// Which hardware runs a job, as the user chose it (`auto`: see `auto_backend`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum DeviceChoice {
    Auto,
    Cpu,
    Wgpu,
    Cuda,
}

/// The backends compiled into this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Cpu,
    #[cfg(feature = "wgpu")]
    Wgpu,
    #[cfg(feature = "cuda")]
    Cuda,
}

impl BackendKind {
    /// The kind as `--device` and `--devices` name it.
    pub fn flag_name(self) -> &'static str {
        match self {
            BackendKind::Cpu => "cpu",
            #[cfg(feature = "wgpu")]
            BackendKind::Wgpu => "wgpu",
            #[cfg(feature = "cuda")]
            BackendKind::Cuda => "cuda",
        }
    }
}

/// The backends compiled into this build, in words for the user (the About box, `--version`).
pub fn compiled_backends() -> Vec<Message> {
    vec![
        said!("backend.cpu", "CPU (burn-flex)"),
        #[cfg(feature = "wgpu")]
        said!(
            "backend.wgpu",
            "GPU through wgpu (Vulkan, Metal, DirectX 12)"
        ),
        #[cfg(feature = "cuda")]
        said!("backend.cuda", "NVIDIA GPU through CUDA"),
    ]
}

/// Which backend runs a job, in words for the user, and why it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendChoice {
    pub kind: BackendKind,
    pub name: &'static str,
    pub reason: BackendReason,
}

/// Why a backend runs a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendReason {
    ChosenByUser,
    CudaFound,
    GpuFound,
    NoGpuInBuild,
    SoftwareRendererOnly,
    NoGpuFound,
}

impl BackendReason {
    pub fn said(self) -> Message {
        match self {
            BackendReason::ChosenByUser => said!("backend.chosen", "chosen by you"),
            BackendReason::CudaFound => said!(
                "backend.auto_cuda",
                "automatic choice: an NVIDIA GPU answers through CUDA"
            ),
            BackendReason::GpuFound => said!(
                "backend.auto_wgpu",
                "automatic choice: a GPU answers through Vulkan, Metal or DirectX (wgpu)"
            ),
            BackendReason::NoGpuInBuild => said!(
                "backend.auto_no_gpu_build",
                "automatic choice: this build has no GPU backend, so the CPU runs the job"
            ),
            BackendReason::SoftwareRendererOnly => said!(
                "backend.auto_software_only",
                "automatic choice: no GPU found (the only graphics adapter is a software \
                 renderer, slower than the CPU backend), so the CPU runs the job"
            ),
            BackendReason::NoGpuFound => said!(
                "backend.auto_no_gpu",
                "automatic choice: no GPU found, so the CPU runs the job"
            ),
        }
    }
}

/// What the automatic choice found on this computer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuSurvey {
    /// An NVIDIA GPU answers through the CUDA driver (CUDA builds only).
    pub cuda: bool,
    /// wgpu sees a hardware GPU adapter (discrete, integrated or virtual).
    pub wgpu_gpu: bool,
    /// wgpu sees only software renderers (Mesa's llvmpipe/lavapipe, WARP…).
    pub software_only: bool,
}

/// Looks for GPUs once per process (enumerating adapters takes a moment).
pub fn survey_gpus() -> GpuSurvey {
    static SURVEY: std::sync::OnceLock<GpuSurvey> = std::sync::OnceLock::new();
    *SURVEY.get_or_init(|| {
        // Drivers and the Vulkan loader print their own complaints while they look (on a
        // server without a display: "XDG_RUNTIME_DIR is invalid or not set…"); they mean
        // nothing to the user, whom the backend's reason tells the finding in words.
        with_stderr_silenced(|| {
            let (wgpu_gpu, software_only) = survey_wgpu();
            GpuSurvey {
                cuda: cuda_usable(),
                wgpu_gpu,
                software_only,
            }
        })
    })
}

/// Runs `f` with the process's standard error sent to the null device, and restores it after
/// (also if `f` panics). Other threads printing meanwhile are silenced too: keep `f` short.
#[cfg(unix)]
fn with_stderr_silenced<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(libc::c_int);
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: self.0 is the duplicate of fd 2 made below, owned here.
            unsafe {
                libc::dup2(self.0, libc::STDERR_FILENO);
                libc::close(self.0);
            }
        }
    }
    use std::io::Write;
    let _ = std::io::stderr().flush();
    // SAFETY: plain descriptor calls on descriptors this function opens and owns; fd 2 is put
    // back by `Restore`.
    let _restore = unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        let saved = libc::dup(libc::STDERR_FILENO);
        if null < 0 || saved < 0 {
            for fd in [null, saved] {
                if fd >= 0 {
                    libc::close(fd);
                }
            }
            return f();
        }
        libc::dup2(null, libc::STDERR_FILENO);
        libc::close(null);
        Restore(saved)
    };
    f()
}

#[cfg(not(unix))]
fn with_stderr_silenced<T>(f: impl FnOnce() -> T) -> T {
    f()
}

#[cfg(feature = "cuda")]
fn cuda_usable() -> bool {
    // Without the driver library, cudarc panics when loading it: that too means "no".
    std::panic::catch_unwind(|| {
        cudarc::driver::result::init().is_ok()
            && cudarc::driver::result::device::get_count().is_ok_and(|n| n > 0)
    })
    .unwrap_or(false)
}

#[cfg(not(feature = "cuda"))]
fn cuda_usable() -> bool {
    false
}

/// (a hardware adapter exists, only software adapters exist)
#[cfg(feature = "wgpu")]
fn survey_wgpu() -> (bool, bool) {
    let adapters = std::panic::catch_unwind(|| {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        futures_lite::future::block_on(instance.enumerate_adapters(wgpu::Backends::all()))
            .iter()
            .map(|a| a.get_info().device_type)
            .collect::<Vec<_>>()
    })
    .unwrap_or_default();
    let hardware = adapters.iter().any(|t| {
        matches!(
            t,
            wgpu::DeviceType::DiscreteGpu
                | wgpu::DeviceType::IntegratedGpu
                | wgpu::DeviceType::VirtualGpu
        )
    });
    (hardware, !hardware && !adapters.is_empty())
}

#[cfg(not(feature = "wgpu"))]
fn survey_wgpu() -> (bool, bool) {
    (false, false)
}

/// `device auto`: CUDA when an NVIDIA GPU answers, else a hardware GPU through wgpu, else the
/// CPU, with the reason in words.
pub fn auto_backend(survey: GpuSurvey) -> BackendChoice {
    #[cfg(feature = "cuda")]
    if survey.cuda {
        return BackendChoice {
            kind: BackendKind::Cuda,
            name: "NVIDIA GPU (CUDA)",
            reason: BackendReason::CudaFound,
        };
    }
    #[cfg(feature = "wgpu")]
    if survey.wgpu_gpu {
        return BackendChoice {
            kind: BackendKind::Wgpu,
            name: "GPU (wgpu)",
            reason: BackendReason::GpuFound,
        };
    }
    let reason = if !cfg!(any(feature = "wgpu", feature = "cuda")) {
        BackendReason::NoGpuInBuild
    } else if survey.software_only {
        BackendReason::SoftwareRendererOnly
    } else {
        BackendReason::NoGpuFound
    };
    BackendChoice {
        kind: BackendKind::Cpu,
        name: "CPU",
        reason,
    }
}

/// The backend for a device choice; a GPU backend missing from this build is an error in words.
pub fn choose_backend(device: DeviceChoice) -> crate::Result<BackendChoice> {
    let chosen = BackendReason::ChosenByUser;
    let (kind, name, reason) = match device {
        DeviceChoice::Cpu => (BackendKind::Cpu, "CPU", chosen),
        DeviceChoice::Auto => return Ok(auto_backend(survey_gpus())),
        #[cfg(feature = "wgpu")]
        DeviceChoice::Wgpu => (BackendKind::Wgpu, "GPU (wgpu)", chosen),
        #[cfg(not(feature = "wgpu"))]
        DeviceChoice::Wgpu => {
            return Err(crate::EngineError::invalid(said!(
                "invalid.no_wgpu",
                "This build of BERT Studio has no wgpu support; choose device \"cpu\"."
            )));
        }
        #[cfg(feature = "cuda")]
        DeviceChoice::Cuda => (BackendKind::Cuda, "NVIDIA GPU (CUDA)", chosen),
        #[cfg(not(feature = "cuda"))]
        DeviceChoice::Cuda => {
            return Err(crate::EngineError::invalid(said!(
                "invalid.no_cuda",
                "This build of BERT Studio has no CUDA support (build it with --features cuda); \
                 choose device \"cpu\" or \"wgpu\"."
            )));
        }
    };
    Ok(BackendChoice { kind, name, reason })
}

/// Keeps the GPU backends' caches — the kernels they compiled and the autotune results (which
/// matmul kernel is fastest for each shape on this card) — in `folder`, so that the second run
/// starts without compiling and timing again. Without this cubecl writes them to a `target`
/// folder beside the nearest Cargo.toml or in the working directory. A `cubecl.toml` (or
/// `burn.toml`'s `[cubecl]`) that names its own cache is honoured. Call once, before any GPU
/// work; later calls (or calls after a GPU job) change nothing. A build without GPU backends has
/// nothing to keep.
pub fn keep_gpu_caches_in(folder: &std::path::Path) {
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    {
        use burn_cubecl::cubecl::config::{CubeClRuntimeConfig, RuntimeConfig};
        let mut slot = CubeClRuntimeConfig::storage().lock();
        if slot.is_none() {
            // cubecl panics on a malformed cubecl.toml; its defaults then, as for no file.
            let found = std::panic::catch_unwind(|| {
                CubeClRuntimeConfig::from_current_dir().override_from_env()
            })
            .unwrap_or_default();
            *slot = Some(std::sync::Arc::new(with_caches_in(found, folder)));
        }
    }
    #[cfg(not(any(feature = "wgpu", feature = "cuda")))]
    let _ = folder;
}

/// The user's cache folder for this program (what the CLI passes to `keep_gpu_caches_in`; the
/// app uses its own cache folder): `$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches`
/// on macOS, `%LOCALAPPDATA%` on Windows, each with `bert-studio` inside.
pub fn user_cache_folder() -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|home| home.join("Library/Caches"))
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|home| home.join(".cache")))
    };
    base.map(|base| base.join("bert-studio"))
}

/// `config` with its autotune and compilation caches in `folder/cubecl`, unless it names its own.
#[cfg(any(feature = "wgpu", feature = "cuda"))]
fn with_caches_in(
    mut config: burn_cubecl::cubecl::config::CubeClRuntimeConfig,
    folder: &std::path::Path,
) -> burn_cubecl::cubecl::config::CubeClRuntimeConfig {
    use burn_cubecl::cubecl::config::cache::CacheConfig;
    let ours = CacheConfig::File(folder.join("cubecl"));
    if matches!(config.autotune.cache, CacheConfig::Target) {
        config.autotune.cache = ours.clone();
    }
    if config.compilation.cache.is_none() {
        config.compilation.cache = Some(ours);
    }
    config
}

/// The free memory of the GPU that runs a job, in bytes, where the backend can tell: the CUDA
/// driver does; wgpu has no portable query (its jobs are not checked before they start; running
/// out is still said in words, `on_gpu`).
pub fn gpu_free_memory(kind: BackendKind) -> Option<u64> {
    match kind {
        #[cfg(feature = "cuda")]
        BackendKind::Cuda => std::panic::catch_unwind(|| {
            let context = cudarc::driver::CudaContext::new(0).ok()?;
            context
                .mem_get_info()
                .ok()
                .map(|(free, _total)| free as u64)
        })
        .ok()
        .flatten(),
        _ => None,
    }
}

/// What a GPU job holds at once: the batch size and text length to lower when it runs out of
/// memory.
#[derive(Debug, Clone, Copy)]
pub struct GpuLoad {
    pub batch_size: usize,
    pub max_seq_len: usize,
}

/// A backend's device `index` (several devices of one machine, `Cluster::device_indices`), or
/// its default device when none is named. CPU copies share the one CPU.
pub fn device_at<B: burn::tensor::backend::Backend>(
    kind: BackendKind,
    index: Option<u16>,
) -> B::Device {
    use burn::tensor::backend::{Device, DeviceId};
    let Some(index) = index else {
        return B::Device::default();
    };
    match kind {
        BackendKind::Cpu => B::Device::default(),
        // wgpu's default device has no index: its discrete GPUs (type 0) have.
        #[cfg(feature = "wgpu")]
        BackendKind::Wgpu => B::Device::from_id(DeviceId::new(0, index)),
        #[cfg(feature = "cuda")]
        BackendKind::Cuda => {
            let default = B::Device::default().to_id();
            B::Device::from_id(DeviceId::new(default.type_id, index))
        }
    }
}

/// Runs a job on the GPU backend named `backend`. burn's GPU backends report a failed
/// allocation (and other device errors) by panicking: the panic becomes an error in words,
/// out-of-memory with what to lower. Training and classification both run inside it.
#[cfg_attr(not(any(feature = "wgpu", feature = "cuda")), allow(dead_code))]
pub fn on_gpu<T>(backend: &str, load: GpuLoad, work: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let message = crate::error::panic_message(payload.as_ref()).unwrap_or_default();
        Err(gpu_failure(backend, load, &message))
    })
}

/// The error for a GPU backend's panic message.
fn gpu_failure(backend: &str, load: GpuLoad, message: &str) -> EngineError {
    let lower = message.to_lowercase();
    // cubecl: "can't allocate buffer of size" (CUDA_ERROR_OUT_OF_MEMORY), "An out-of-memory
    // error happened during launch"; wgpu: "Out of Memory" / "OutOfMemory".
    let out_of_memory = [
        "out of memory",
        "out-of-memory",
        "outofmemory",
        "can't allocate",
    ]
    .iter()
    .any(|sign| lower.contains(sign));
    if out_of_memory {
        return EngineError::OutOfMemory {
            backend: backend.to_string(),
            batch_size: load.batch_size,
            max_seq_len: load.max_seq_len,
        };
    }
    // The first line only: cubecl appends a backtrace.
    let reason = message.lines().next().unwrap_or("").trim();
    EngineError::Device {
        backend: backend.to_string(),
        reason: if reason.is_empty() {
            "no details were given".into()
        } else {
            reason.to_string()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    #[test]
    fn gpu_caches_go_to_the_apps_folder_unless_a_cubecl_toml_names_one() {
        use burn_cubecl::cubecl::config::CubeClRuntimeConfig;
        use burn_cubecl::cubecl::config::cache::CacheConfig;
        let folder = std::path::Path::new("/cache/bert-studio");
        let config = with_caches_in(CubeClRuntimeConfig::default(), folder);
        assert!(
            matches!(&config.autotune.cache, CacheConfig::File(p) if p == &folder.join("cubecl"))
        );
        assert!(
            matches!(&config.compilation.cache, Some(CacheConfig::File(p)) if p == &folder.join("cubecl"))
        );
        // A user's cubecl.toml with `[autotune] cache = "global"` keeps its choice.
        let mut theirs = CubeClRuntimeConfig::default();
        theirs.autotune.cache = CacheConfig::Global;
        theirs.compilation.cache = Some(CacheConfig::Local);
        let config = with_caches_in(theirs, folder);
        assert!(matches!(config.autotune.cache, CacheConfig::Global));
        assert!(matches!(config.compilation.cache, Some(CacheConfig::Local)));
    }

    #[test]
    fn gpu_panics_become_errors_in_words() {
        let load = GpuLoad {
            batch_size: 32,
            max_seq_len: 256,
        };
        for message in [
            "can't allocate buffer of size: 8589934592\nBacktrace ...",
            "An out-of-memory error happened during launch\nCaused by:\n  pool exhausted",
            "wgpu error: Validation Error\n\nCaused by:\n  Out of Memory",
        ] {
            let error = gpu_failure("NVIDIA GPU (CUDA)", load, message);
            assert_eq!(error.kind(), "out_of_memory", "{message}");
            assert_eq!(
                error.to_string(),
                "The NVIDIA GPU (CUDA) ran out of memory with batches of 32 texts of up to 256 tokens."
            );
            assert!(error.hint().unwrap().contains("Lower the batch size"));
        }
        let error = gpu_failure("GPU (wgpu)", load, "Shader compilation failed\nBacktrace");
        assert_eq!(
            error.to_string(),
            "The GPU (wgpu) stopped with an error: Shader compilation failed"
        );
        let caught = on_gpu("GPU (wgpu)", load, || -> Result<()> {
            panic!("can't allocate buffer of size: 1")
        });
        assert!(matches!(caught, Err(EngineError::OutOfMemory { .. })));
    }

    #[test]
    fn auto_prefers_cuda_then_a_hardware_gpu_then_the_cpu() {
        let survey = |cuda, wgpu_gpu, software_only| GpuSurvey {
            cuda,
            wgpu_gpu,
            software_only,
        };
        let nothing = auto_backend(survey(false, false, false));
        assert_eq!(nothing.kind, BackendKind::Cpu);
        let software = auto_backend(survey(false, false, true));
        assert_eq!(software.kind, BackendKind::Cpu);
        #[cfg(feature = "wgpu")]
        {
            assert!(software.reason.said().text.contains("software renderer"));
            assert_eq!(
                nothing.reason.said().text,
                "automatic choice: no GPU found, so the CPU runs the job"
            );
            let gpu = auto_backend(survey(false, true, false));
            assert_eq!((gpu.kind, gpu.name), (BackendKind::Wgpu, "GPU (wgpu)"));
        }
        let both = auto_backend(survey(true, true, false));
        #[cfg(feature = "cuda")]
        assert_eq!(both.kind, BackendKind::Cuda);
        #[cfg(all(feature = "wgpu", not(feature = "cuda")))]
        assert_eq!(both.kind, BackendKind::Wgpu);
        let _ = both;
    }

    /// On this machine (or CI): whatever the survey finds, auto names a backend this build has
    /// and says why; where wgpu sees only Mesa's software Vulkan, that is the CPU.
    #[test]
    fn auto_on_this_machine_is_explained() {
        let survey = survey_gpus();
        let choice = choose_backend(DeviceChoice::Auto).unwrap();
        assert!(choice.reason.said().text.starts_with("automatic choice: "));
        if survey.software_only && !survey.cuda {
            assert_eq!(choice.kind, BackendKind::Cpu);
        }
    }
}
