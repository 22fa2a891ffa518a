// Skeleton: this package is implemented by its own issue (see README.md).
export {};
