package nvml

import "errors"

// ErrUnavailable: NVML cannot be used here (library missing, a required
// symbol missing, nvmlInit failed, or a system without Dlopen). Errors from
// Open wrap it; a caller that only wants GPUs when there are some ignores
// it.
var ErrUnavailable = errors.New("nvml: not available")
