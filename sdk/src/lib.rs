//! cocart SDK (skeleton)
