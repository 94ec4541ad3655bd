package vigo

import "github.com/vigo-ppl/vigo/tensor"

// maskMessenger ands a 0/1 mask into every message it sees.
type maskMessenger struct{ mask *tensor.Tensor }

func (m *maskMessenger) Process(msg *Message) {
	if msg.Mask == nil {
		msg.Mask = m.mask
	} else {
		msg.Mask = tensor.LogicalAnd(msg.Mask, m.mask)
	}
}

func (m *maskMessenger) Postprocess(*Message) {}

// withMask runs body with mask applied to every site inside.
func withMask(c *Ctx, mask *tensor.Tensor, body func()) {
	c.With(&maskMessenger{mask: mask}, body)
}

// MaskMessenger returns a handler that masks the log-density of every site
// it sees with mask (a 0/1 tensor), combining with masks already present.
func MaskMessenger(mask *tensor.Tensor) Messenger { return &maskMessenger{mask: mask} }
