std = "lua54"
max_line_length = 100
exclude_files = { "pystd/**", "build/**" }
files["spec"] = { std = "+busted" }
files[".busted"] = { globals = {} }
