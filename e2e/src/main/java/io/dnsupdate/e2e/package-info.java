/** The local demo and end-to-end flow: real named, real Pebble, real operator and webhook. */
package io.dnsupdate.e2e;
