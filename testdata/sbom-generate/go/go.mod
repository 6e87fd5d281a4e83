module example.com/gen-fixture

go 1.22

require (
	github.com/google/uuid v1.6.0
	github.com/gorilla/mux v1.8.1
)

require golang.org/x/text v0.14.0 // indirect
