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

/// The backend for a device choice; a GPU backend missing from this build is an error in words.
pub fn choose_backend(device: crate::train::DeviceChoice) -> crate::Result<BackendChoice> {
    use crate::train::DeviceChoice;
    let chosen = "chosen by you";
    let (kind, name, reason) = match device {
        DeviceChoice::Cpu => (BackendKind::Cpu, "CPU", chosen),
        DeviceChoice::Auto => (
            BackendKind::Cpu,
            "CPU",
            "automatic choice: GPU detection is not available in this build, so the CPU runs the job",
        ),
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
