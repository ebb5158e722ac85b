/* cl_calls.h: every OpenCL call the library makes goes through these wrappers, so that tests can
   make any call fail on purpose (testing.h) and count the objects the library holds. Each wrapper
   has the signature of the OpenCL function it is named after. */
#ifndef CLGCONV_CL_CALLS_H
#define CLGCONV_CL_CALLS_H

#include "clgconv.h"

cl_int clg_clGetPlatformIDs(cl_uint n, cl_platform_id *platforms, cl_uint *count);
cl_int clg_clGetPlatformInfo(cl_platform_id p, cl_platform_info param, size_t size, void *value,
                             size_t *ret);
cl_int clg_clGetDeviceIDs(cl_platform_id p, cl_device_type type, cl_uint n, cl_device_id *devices,
                          cl_uint *count);
cl_int clg_clGetDeviceInfo(cl_device_id d, cl_device_info param, size_t size, void *value,
                           size_t *ret);
cl_int clg_clGetContextInfo(cl_context c, cl_context_info param, size_t size, void *value,
                            size_t *ret);
cl_context clg_clCreateContext(const cl_context_properties *props, cl_uint n,
                               const cl_device_id *devices, cl_int *err);
cl_int clg_clRetainContext(cl_context c);
cl_int clg_clReleaseContext(cl_context c);
cl_int clg_clRetainDevice(cl_device_id d);
cl_int clg_clReleaseDevice(cl_device_id d);
cl_command_queue clg_clCreateCommandQueue(cl_context c, cl_device_id d,
                                          cl_command_queue_properties props, cl_int *err);
cl_int clg_clReleaseCommandQueue(cl_command_queue q);
cl_int clg_clGetCommandQueueInfo(cl_command_queue q, cl_command_queue_info param, size_t size,
                                 void *value, size_t *ret);

cl_program clg_clCreateProgramWithSource(cl_context c, cl_uint n, const char **strings,
                                         const size_t *lengths, cl_int *err);
cl_program clg_clCreateProgramWithBinary(cl_context c, cl_uint n, const cl_device_id *devices,
                                         const size_t *lengths, const unsigned char **binaries,
                                         cl_int *binary_status, cl_int *err);
cl_int clg_clBuildProgram(cl_program p, cl_uint n, const cl_device_id *devices,
                          const char *options);
cl_int clg_clGetProgramBuildInfo(cl_program p, cl_device_id d, cl_program_build_info param,
                                 size_t size, void *value, size_t *ret);
cl_int clg_clGetProgramInfo(cl_program p, cl_program_info param, size_t size, void *value,
                            size_t *ret);
cl_int clg_clReleaseProgram(cl_program p);

cl_kernel clg_clCreateKernel(cl_program p, const char *name, cl_int *err);
cl_int clg_clReleaseKernel(cl_kernel k);
cl_int clg_clSetKernelArg(cl_kernel k, cl_uint index, size_t size, const void *value);
cl_int clg_clGetKernelWorkGroupInfo(cl_kernel k, cl_device_id d, cl_kernel_work_group_info param,
                                    size_t size, void *value, size_t *ret);

cl_mem clg_clCreateBuffer(cl_context c, cl_mem_flags flags, size_t size, void *host, cl_int *err);
cl_int clg_clReleaseMemObject(cl_mem m);
cl_int clg_clGetMemObjectInfo(cl_mem m, cl_mem_info param, size_t size, void *value, size_t *ret);

cl_int clg_clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint dims,
                                  const size_t *offset, const size_t *global, const size_t *local,
                                  cl_uint num_wait, const cl_event *wait, cl_event *event);
cl_int clg_clEnqueueWriteBuffer(cl_command_queue q, cl_mem m, cl_bool blocking, size_t offset,
                                size_t size, const void *ptr, cl_uint num_wait,
                                const cl_event *wait, cl_event *event);
cl_int clg_clEnqueueReadBuffer(cl_command_queue q, cl_mem m, cl_bool blocking, size_t offset,
                               size_t size, void *ptr, cl_uint num_wait, const cl_event *wait,
                               cl_event *event);
cl_int clg_clEnqueueCopyBuffer(cl_command_queue q, cl_mem src, cl_mem dst, size_t src_offset,
                              size_t dst_offset, size_t size, cl_uint num_wait,
                              const cl_event *wait, cl_event *event);
cl_int clg_clEnqueueBarrierWithWaitList(cl_command_queue q, cl_uint num_wait,
                                        const cl_event *wait, cl_event *event);
cl_int clg_clFinish(cl_command_queue q);
cl_int clg_clReleaseEvent(cl_event e);
cl_int clg_clGetEventInfo(cl_event e, cl_event_info param, size_t size, void *value, size_t *ret);

/* An event the library created is handed to the caller, who will release it. */
void clg_event_handed_out(void);
/* The library retains an object (context, device) it did not create. */
void clg_object_retained(void);

#endif /* CLGCONV_CL_CALLS_H */
