"""sessions: infusion sessions, events, double checks, vitals, addenda

Revision ID: 0003_sessions
Revises: 0002_protocols
Create Date: 2026-11-24 21:52:04.229808
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.storage.base

revision = '0003_sessions'
down_revision = '0002_protocols'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('infusion_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('protocol_id', sa.Integer(), nullable=False),
    sa.Column('checked_in_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checked_in_by', sa.Integer(), nullable=False),
    sa.Column('weight_kg', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('weight_measured_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('weight_entered', sa.String(length=40), nullable=True),
    sa.Column('weight_reason', sa.Text(), nullable=True),
    sa.Column('preparation', sa.Text(), nullable=True),
    sa.Column('prepared_by', sa.Integer(), nullable=True),
    sa.Column('prepared_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('program', sa.Text(), nullable=True),
    sa.Column('checked_by', sa.Integer(), nullable=True),
    sa.Column('checked_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('check_overrides', sa.Text(), nullable=False),
    sa.Column('discharge', sa.Text(), nullable=True),
    sa.Column('discharged_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_reason', sa.Text(), nullable=True),
    sa.Column('last_seen_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['checked_by'], ['user_account.id'], name=op.f('fk_infusion_session_checked_by_user_account')),
    sa.ForeignKeyConstraint(['checked_in_by'], ['user_account.id'], name=op.f('fk_infusion_session_checked_in_by_user_account')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_infusion_session_patient_id_patient')),
    sa.ForeignKeyConstraint(['prepared_by'], ['user_account.id'], name=op.f('fk_infusion_session_prepared_by_user_account')),
    sa.ForeignKeyConstraint(['protocol_id'], ['protocol.id'], name=op.f('fk_infusion_session_protocol_id_protocol')),
    sa.ForeignKeyConstraint(['signature_id'], ['signature.id'], name=op.f('fk_infusion_session_signature_id_signature')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_infusion_session'))
    )
    with op.batch_alter_table('infusion_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_infusion_session_checked_in_at'), ['checked_in_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_infusion_session_patient_id'), ['patient_id'], unique=False)

    op.create_table('addendum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_addendum_by_id_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['infusion_session.id'], name=op.f('fk_addendum_session_id_infusion_session')),
    sa.ForeignKeyConstraint(['signature_id'], ['signature.id'], name=op.f('fk_addendum_signature_id_signature')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addendum'))
    )
    with op.batch_alter_table('addendum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addendum_session_id'), ['session_id'], unique=False)

    op.create_table('double_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('checker_id', sa.Integer(), nullable=False),
    sa.Column('at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entered', sa.Text(), nullable=False),
    sa.Column('mismatches', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['checker_id'], ['user_account.id'], name=op.f('fk_double_check_checker_id_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['infusion_session.id'], name=op.f('fk_double_check_session_id_infusion_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_double_check'))
    )
    with op.batch_alter_table('double_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_double_check_session_id'), ['session_id'], unique=False)

    op.create_table('infusion_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entered_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('rate_ml_per_h', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('bolus_mg', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('stop_kind', sa.String(length=20), nullable=True),
    sa.Column('authorised_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['authorised_by'], ['user_account.id'], name=op.f('fk_infusion_event_authorised_by_user_account')),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_infusion_event_by_id_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['infusion_session.id'], name=op.f('fk_infusion_event_session_id_infusion_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_infusion_event'))
    )
    with op.batch_alter_table('infusion_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_infusion_event_session_id'), ['session_id'], unique=False)

    op.create_table('vital_sign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entered_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('values', sa.Text(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('correction_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_vital_sign_by_id_user_account')),
    sa.ForeignKeyConstraint(['corrects_id'], ['vital_sign.id'], name=op.f('fk_vital_sign_corrects_id_vital_sign')),
    sa.ForeignKeyConstraint(['session_id'], ['infusion_session.id'], name=op.f('fk_vital_sign_session_id_infusion_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vital_sign'))
    )
    with op.batch_alter_table('vital_sign', schema=None) as batch_op:
        batch_op.create_index('ix_vital_sign_session_at', ['session_id', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('vital_sign', schema=None) as batch_op:
        batch_op.drop_index('ix_vital_sign_session_at')

    op.drop_table('vital_sign')
    with op.batch_alter_table('infusion_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_infusion_event_session_id'))

    op.drop_table('infusion_event')
    with op.batch_alter_table('double_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_double_check_session_id'))

    op.drop_table('double_check')
    with op.batch_alter_table('addendum', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addendum_session_id'))

    op.drop_table('addendum')
    with op.batch_alter_table('infusion_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_infusion_session_patient_id'))
        batch_op.drop_index(batch_op.f('ix_infusion_session_checked_in_at'))

    op.drop_table('infusion_session')
