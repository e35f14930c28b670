//! The burn backends the engine runs on. Model code is generic; these aliases name the
//! concrete choices in one place.

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

/// The backends compiled into this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Cpu,
    #[cfg(feature = "wgpu")]
    Wgpu,
    #[cfg(feature = "cuda")]
    Cuda,
}

/// Which backend runs a job, in words for the user, and why it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendChoice {
    pub kind: BackendKind,
    pub name: &'static str,
    pub reason: &'static str,
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
        let (wgpu_gpu, software_only) = survey_wgpu();
        GpuSurvey {
            cuda: cuda_usable(),
            wgpu_gpu,
            software_only,
        }
    })
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
            reason: "automatic choice: an NVIDIA GPU answers through CUDA",
        };
    }
    #[cfg(feature = "wgpu")]
    if survey.wgpu_gpu {
        return BackendChoice {
            kind: BackendKind::Wgpu,
            name: "GPU (wgpu)",
            reason: "automatic choice: a GPU answers through Vulkan, Metal or DirectX (wgpu)",
        };
    }
    let reason = if !cfg!(any(feature = "wgpu", feature = "cuda")) {
        "automatic choice: this build has no GPU backend, so the CPU runs the job"
    } else if survey.software_only {
        "automatic choice: no GPU found (the only graphics adapter is a software renderer, \
         slower than the CPU backend), so the CPU runs the job"
    } else {
        "automatic choice: no GPU found, so the CPU runs the job"
    };
    BackendChoice {
        kind: BackendKind::Cpu,
        name: "CPU",
        reason,
    }
}

/// The backend for a device choice; a GPU backend missing from this build is an error in words.
pub fn choose_backend(device: crate::train::DeviceChoice) -> crate::Result<BackendChoice> {
    use crate::train::DeviceChoice;
    let chosen = "chosen by you";
    let (kind, name, reason) = match device {
        DeviceChoice::Cpu => (BackendKind::Cpu, "CPU", chosen),
        DeviceChoice::Auto => return Ok(auto_backend(survey_gpus())),
        #[cfg(feature = "wgpu")]
        DeviceChoice::Wgpu => (BackendKind::Wgpu, "GPU (wgpu)", chosen),
        #[cfg(not(feature = "wgpu"))]
        DeviceChoice::Wgpu => {
            return Err(crate::EngineError::invalid(
                "This build of BERT Studio has no wgpu support; choose device \"cpu\".",
            ));
        }
        #[cfg(feature = "cuda")]
        DeviceChoice::Cuda => (BackendKind::Cuda, "NVIDIA GPU (CUDA)", chosen),
        #[cfg(not(feature = "cuda"))]
        DeviceChoice::Cuda => {
            return Err(crate::EngineError::invalid(
                "This build of BERT Studio has no CUDA support (build it with --features cuda); choose device \"cpu\" or \"wgpu\".",
            ));
        }
    };
    Ok(BackendChoice { kind, name, reason })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(software.reason.contains("software renderer"));
            assert_eq!(
                nothing.reason,
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
        let choice = choose_backend(crate::train::DeviceChoice::Auto).unwrap();
        assert!(choice.reason.starts_with("automatic choice: "));
        if survey.software_only && !survey.cuda {
            assert_eq!(choice.kind, BackendKind::Cpu);
        }
    }
}
