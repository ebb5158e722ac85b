/* platform.h: the few OS services the library needs (mutex, thread-local storage, atomics). */
#ifndef CLGCONV_PLATFORM_H
#define CLGCONV_PLATFORM_H

#if defined(_WIN32)
#include <windows.h>
typedef SRWLOCK clg_mutex;
static inline int clg_mutex_init(clg_mutex *m) { InitializeSRWLock(m); return 0; }
static inline void clg_mutex_destroy(clg_mutex *m) { (void)m; }
static inline void clg_mutex_lock(clg_mutex *m) { AcquireSRWLockExclusive(m); }
static inline void clg_mutex_unlock(clg_mutex *m) { ReleaseSRWLockExclusive(m); }
#define CLG_THREAD_LOCAL __declspec(thread)
#else
#include <pthread.h>
typedef pthread_mutex_t clg_mutex;
static inline int clg_mutex_init(clg_mutex *m) { return pthread_mutex_init(m, NULL); }
static inline void clg_mutex_destroy(clg_mutex *m) { pthread_mutex_destroy(m); }
static inline void clg_mutex_lock(clg_mutex *m) { pthread_mutex_lock(m); }
static inline void clg_mutex_unlock(clg_mutex *m) { pthread_mutex_unlock(m); }
#define CLG_THREAD_LOCAL _Thread_local
#endif

/* Monotonic wall-clock time in seconds. */
#if defined(_WIN32)
static inline double clg_now_seconds(void)
{
    LARGE_INTEGER f, t;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / (double)f.QuadPart;
}
#else
#include <time.h>
static inline double clg_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
#endif

#endif /* CLGCONV_PLATFORM_H */
