/*
 * A fake NVML for the tests of package nvml: two GPUs with fixed figures,
 * the nvml.h signatures, and compile-time switches that leave symbols out
 * (built at test time with gcc -shared -fPIC):
 *
 *   -DNO_TEMPV       no nvmlDeviceGetTemperatureV (use the deprecated call)
 *   -DNO_TEMP        no nvmlDeviceGetTemperature
 *   -DNO_UTIL        no nvmlDeviceGetUtilizationRates
 *   -DNO_MEM         no nvmlDeviceGetMemoryInfo
 *   -DNO_NAME        no nvmlDeviceGetName
 *   -DNO_INIT        no nvmlInit_v2 / nvmlInit at all
 *   -DV1_ONLY        nvmlInit, nvmlDeviceGetCount, nvmlDeviceGetHandleByIndex
 *                    instead of their _v2 forms
 *   -DINIT_FAILS     nvmlInit_v2 returns NVML_ERROR_DRIVER_NOT_LOADED
 *   -DNO_GPUS        the device count is 0
 *
 * Figures (the Go test checks them exactly):
 *   GPU 0 "Fake GPU Zero 80GB": util 37 %, memory 12 GiB used of 80 GiB,
 *         temperature 61 C through the V call, 59 C through the old one.
 *   GPU 1 "Fake GPU One": utilisation NOT_SUPPORTED, memory 1 GiB of
 *         24 GiB, temperature 45 C (V), 44 C (old).
 * Every device call fails with NVML_ERROR_UNINITIALIZED before init or after
 * shutdown; the V call checks the struct version and sensor type.
 */
#include <string.h>

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; int sensorType; int temperature; } nvmlTemperature_v1_t;

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_ERROR_ARGUMENT_VERSION_MISMATCH 25
#define NVML_TEMPERATURE_GPU 0
#define nvmlTemperature_v1 ((unsigned int)(sizeof(nvmlTemperature_v1_t) | (1u << 24)))
#define GiB (1024ULL * 1024ULL * 1024ULL)

struct nvmlDevice_st { int index; };
static struct nvmlDevice_st devices[2] = {{0}, {1}};
static int initialised;
static int shutdowns;

/* Test hooks, not NVML: how often nvmlShutdown ran. */
int fake_shutdown_calls(void) { return shutdowns; }

static __attribute__((unused)) int dev_index(nvmlDevice_t d) {
	if (!initialised) return -1;
	if (d == &devices[0]) return 0;
	if (d == &devices[1]) return 1;
	return -2;
}

#define CHECK_DEV(d, i)                                      \
	int i = dev_index(d);                                    \
	if (i == -1) return NVML_ERROR_UNINITIALIZED;            \
	if (i < 0) return NVML_ERROR_INVALID_ARGUMENT;

#ifndef NO_INIT
static nvmlReturn_t do_init(void) {
#ifdef INIT_FAILS
	return NVML_ERROR_DRIVER_NOT_LOADED;
#else
	initialised = 1;
	return NVML_SUCCESS;
#endif
}
#ifdef V1_ONLY
nvmlReturn_t nvmlInit(void) { return do_init(); }
#else
nvmlReturn_t nvmlInit_v2(void) { return do_init(); }
#endif
#endif

nvmlReturn_t nvmlShutdown(void) {
	if (!initialised) return NVML_ERROR_UNINITIALIZED;
	initialised = 0;
	shutdowns++;
	return NVML_SUCCESS;
}

static nvmlReturn_t do_count(unsigned int *n) {
	if (!initialised) return NVML_ERROR_UNINITIALIZED;
	if (!n) return NVML_ERROR_INVALID_ARGUMENT;
#ifdef NO_GPUS
	*n = 0;
#else
	*n = 2;
#endif
	return NVML_SUCCESS;
}

static nvmlReturn_t do_handle(unsigned int index, nvmlDevice_t *dev) {
	unsigned int n;
	nvmlReturn_t rc = do_count(&n);
	if (rc != NVML_SUCCESS) return rc;
	if (!dev || index >= n) return NVML_ERROR_INVALID_ARGUMENT;
	*dev = &devices[index];
	return NVML_SUCCESS;
}

#ifdef V1_ONLY
nvmlReturn_t nvmlDeviceGetCount(unsigned int *n) { return do_count(n); }
nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int i, nvmlDevice_t *d) { return do_handle(i, d); }
#else
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *n) { return do_count(n); }
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d) { return do_handle(i, d); }
#endif

#ifndef NO_NAME
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
	static const char *names[2] = {"Fake GPU Zero 80GB", "Fake GPU One"};
	CHECK_DEV(device, i);
	if (!name) return NVML_ERROR_INVALID_ARGUMENT;
	if (length < 64) return NVML_ERROR_INSUFFICIENT_SIZE;
	memset(name, 'X', length); /* the caller must rely on the NUL */
	strcpy(name, names[i]);
	return NVML_SUCCESS;
}
#endif

#ifndef NO_UTIL
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *u) {
	CHECK_DEV(device, i);
	if (!u) return NVML_ERROR_INVALID_ARGUMENT;
	if (i == 1) return NVML_ERROR_NOT_SUPPORTED;
	u->gpu = 37;
	u->memory = 20;
	return NVML_SUCCESS;
}
#endif

#ifndef NO_MEM
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *m) {
	CHECK_DEV(device, i);
	if (!m) return NVML_ERROR_INVALID_ARGUMENT;
	m->total = i == 0 ? 80 * GiB : 24 * GiB;
	m->used = i == 0 ? 12 * GiB : 1 * GiB;
	m->free = m->total - m->used;
	return NVML_SUCCESS;
}
#endif

#ifndef NO_TEMPV
nvmlReturn_t nvmlDeviceGetTemperatureV(nvmlDevice_t device, nvmlTemperature_v1_t *t) {
	CHECK_DEV(device, i);
	if (!t) return NVML_ERROR_INVALID_ARGUMENT;
	if (t->version != nvmlTemperature_v1) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
	if (t->sensorType != NVML_TEMPERATURE_GPU) return NVML_ERROR_INVALID_ARGUMENT;
	t->temperature = i == 0 ? 61 : 45;
	return NVML_SUCCESS;
}
#endif

#ifndef NO_TEMP
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensorType, unsigned int *temp) {
	CHECK_DEV(device, i);
	if (!temp || sensorType != NVML_TEMPERATURE_GPU) return NVML_ERROR_INVALID_ARGUMENT;
	*temp = i == 0 ? 59 : 44;
	return NVML_SUCCESS;
}
#endif
