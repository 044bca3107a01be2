"""Site selection: LSCP, MCLP, p-median, p-center, the multi-function hub model."""
