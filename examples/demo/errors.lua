-- Errors are objects with a type, a message and a place in CPython's hierarchy.
local errors = require "pystd.errors"

local _, err = pcall(errors.raise, "decimal.DivisionByZero", "division by zero")
print("caught:", tostring(err))
print("is a ZeroDivisionError?", errors.is(err, "ZeroDivisionError"))
print("is an OSError?", errors.is(err, "OSError"))
print("a plain string is no error object:", errors.is("oops", "Exception"))
