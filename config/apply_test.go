package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSetRollsBackWhenApplyFails: CONFIG SET of several parameters is all or
// nothing even when one fails to take effect, and what was applied is put
// back.
func TestSetRollsBackWhenApplyFails(t *testing.T) {
	c := Default()
	var applied []string // the timeout each call of the first applier saw
	c.OnApply([]string{"timeout"}, func() error {
		applied = append(applied, c.String("timeout"))
		return nil
	})
	c.OnApply([]string{"port", "bind"}, func() error {
		if c.Port() == 1 {
			return errors.New("Unable to listen on this port")
		}
		return nil
	})
	var observed [][]string
	c.OnChange(func(names []string) { observed = append(observed, names) })

	err := c.Set([][2]string{{"timeout", "30"}, {"port", "1"}})
	require.EqualError(t, err, "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port")
	assert.Equal(t, "0", c.String("timeout"), "timeout rolled back")
	assert.Equal(t, 6379, c.Port(), "port rolled back")
	assert.Equal(t, []string{"30", "0"}, applied, "the applier ran with the new value, then again with the old one")
	assert.Empty(t, observed, "observers hear only of successful sets")

	require.NoError(t, c.Set([][2]string{{"port", "7000"}, {"bind", "127.0.0.1"}}))
	assert.Equal(t, [][]string{{"bind", "port"}}, observed)
	require.NoError(t, c.Set([][2]string{{"port", "7000"}}), "an unchanged value applies nothing")
	assert.Len(t, observed, 1)
}

func TestSetDeniedWhileLoading(t *testing.T) {
	c := Default()
	c.SetLoading(true)
	require.EqualError(t, c.Set([][2]string{{"timeout", "5"}, {"appendonly", "yes"}}), "LOADING Redis is loading the dataset in memory")
	assert.Equal(t, "0", c.String("timeout"))
	require.NoError(t, c.Set([][2]string{{"timeout", "5"}}), "other parameters may change while loading")
	c.SetLoading(false)
	require.NoError(t, c.Set([][2]string{{"appendonly", "yes"}}))
}
