/** What the operator's and the webhook's dry starts for their class-data archives share. */
package io.dnsupdate.cds;
