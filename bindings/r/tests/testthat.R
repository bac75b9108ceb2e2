library(testthat)
library(bowlby)

test_check("bowlby")
