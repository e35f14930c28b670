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
