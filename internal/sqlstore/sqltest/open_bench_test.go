package sqltest

import "testing"

func BenchmarkOpen(b *testing.B) {
	for _, be := range Backends() {
		b.Run(be.Name, func(b *testing.B) {
			for range b.N {
				be.Open(b, nil)
			}
		})
	}
}
