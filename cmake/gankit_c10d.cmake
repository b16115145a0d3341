# The c10d process groups of data-parallel training (lib/nn/data_parallel.cpp), for a target that
# compiles that file. Used by lib/nn and by bench/cuda (which builds against a CUDA LibTorch alone).
#
# - Gloo (CPU tensors): when Gloo's own headers are found (Debian: libgloo-dev; PyTorch wheels lack
#   them). ProcessGroupGloo.hpp is guarded by USE_C10D_GLOO, which Debian's LibTorch leaves unset.
# - NCCL (CUDA tensors): in a CUDA LibTorch (target torch_cuda) whose nccl.h is found: NCCL_INCLUDE_DIR,
#   else beside LibTorch (a PyTorch wheel keeps it in site-packages/nvidia/nccl/include).
# GANKIT_HAVE_GLOO / GANKIT_HAVE_NCCL say which were found. At least one is required.
function(gankit_c10d target source)
  find_path(GLOO_INCLUDE_DIR gloo/algorithm.h HINTS ${TORCH_INCLUDE_DIRS})
  set(engines "")
  if(GLOO_INCLUDE_DIR)
    set_property(SOURCE ${source} APPEND PROPERTY COMPILE_DEFINITIONS GANKIT_HAVE_GLOO USE_C10D_GLOO)
    target_include_directories(${target} PRIVATE ${GLOO_INCLUDE_DIR})
    list(APPEND engines gloo)
  endif()
  if(TARGET torch_cuda)
    find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${TORCH_INCLUDE_DIRS} ${CUDAToolkit_INCLUDE_DIRS}
              ${Torch_DIR}/../../../../nvidia/nccl/include)
    if(NCCL_INCLUDE_DIR)
      set_property(SOURCE ${source} APPEND PROPERTY COMPILE_DEFINITIONS GANKIT_HAVE_NCCL USE_C10D_NCCL)
      target_include_directories(${target} PRIVATE ${NCCL_INCLUDE_DIR})
      list(APPEND engines nccl)
    else()
      message(WARNING "CUDA LibTorch without nccl.h (set NCCL_INCLUDE_DIR): data-parallel CUDA training uses Gloo")
    endif()
  endif()
  if(NOT engines)
    message(FATAL_ERROR "neither Gloo's headers (gloo/algorithm.h: install libgloo-dev, as scripts/install-deps.sh "
                        "does) nor NCCL's were found: data-parallel training needs one")
  endif()
  message(STATUS "gankit data-parallel engines (c10d): ${engines}")
endfunction()
