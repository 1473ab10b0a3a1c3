package backend

// Classifier is a driver's mapping from the errors of its SDK to the
// sentinels of errors.go: it returns the sentinel that err means, or nil
// when none fits (the caller's own cancellation, for instance).
type Classifier func(err error) error

// Error returns nil for a nil err, and otherwise err as an *Error for op
// and key whose Kind is c(err), with err itself reachable by errors.As.
// A driver typically declares
//
//	var wrap = backend.Classifier(classify).Error
//
// and returns wrap(op, key, err) for every error of its SDK.
func (c Classifier) Error(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return NewError(op, key, c(err), err)
}
